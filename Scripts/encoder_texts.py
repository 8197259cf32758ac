"""Texts for the encoder benchmark and check: package descriptions from the local dpkg status file."""


def debian_descriptions(path="/var/lib/dpkg/status"):
    """Every package's description (summary line and long text) as one string."""
    texts, current = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("Description:"):
                current = [line[len("Description:"):].strip()]
            elif current is not None and line.startswith(" "):
                part = line.strip()
                current.append("" if part == "." else part)
            elif current is not None:
                texts.append(" ".join(p for p in current if p))
                current = None
    if current:
        texts.append(" ".join(p for p in current if p))
    return texts

#!/usr/bin/env python3
"""Writes the .npy test fixtures and the fuzzing seed corpus with NumPy.

GENERATED OUTPUT: every file in Tests/CosineKitTests/Fixtures/npy/ and Fuzz/corpus/npy/
is written by this script (both directories carry a .gitattributes marking them
linguist-generated). Do not edit those files by hand: change this script, rerun it
(`python3 Scripts/make_npy_fixtures.py`) and commit the script and its output together.

The Swift tests are not allowed to run Python, so they hardcode the values written here:
keep `pattern`, `INTEGER_VALUES`, `BOOL_VALUES` and `specials` in sync with
Tests/CosineKitTests/IO/NPYFixtures.swift.
"""
import os
import sys

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
FIXTURES = os.path.join(ROOT, 'Tests', 'CosineKitTests', 'Fixtures', 'npy')
CORPUS = os.path.join(ROOT, 'Fuzz', 'corpus', 'npy')

manifest = []


def pattern(n):
    """Element i (C order) is ((37 i) mod 101 - 50) / 8: multiples of 1/8 in [-6.25, 6.25],
    exactly representable in float16, float32 and float64."""
    return ((np.arange(n, dtype=np.int64) * 37) % 101 - 50) / 8.0


def int_pattern(n):
    """Element i (C order) is (37 i) mod 101 - 50, an integer in [-50, 50]."""
    return (np.arange(n, dtype=np.int64) * 37) % 101 - 50


def make(shape, dtype, values=None, fortran=False):
    n = int(np.prod(shape, dtype=np.int64))
    if values is None:
        values = pattern(n) if np.dtype(dtype).kind == 'f' else int_pattern(n)
    if isinstance(values, list):
        a = np.array(values, dtype=dtype).reshape(shape)  # Python ints convert exactly
        assert a.ravel().tolist() == values
    else:
        a = np.asarray(values).astype(dtype).reshape(shape)
    return a.copy(order='F' if fortran else 'C')  # (asfortranarray/ascontiguousarray make 0-d 1-d)


def save(name, array, version=None, note=''):
    path = os.path.join(FIXTURES, name)
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)
    with open(path, 'rb') as f:
        data = f.read()
    # Sanity: NumPy reads back what it wrote, with the intended layout.
    back = np.load(path, allow_pickle=False)
    assert back.dtype == array.dtype and back.shape == array.shape and array.shape == np.shape(array)
    assert np.array_equal(back, array, equal_nan=(array.dtype.kind == 'f'))
    with open(path, 'rb') as f:
        version = np.lib.format.read_magic(f)
    manifest.append((name, array.dtype.str, array.shape,
                     'F' if (array.flags.f_contiguous and not array.flags.c_contiguous) else 'C',
                     '%d.%d' % version, note))
    return data


# Exact values per integer dtype, 8 each, stored as shape (2, 4).
INTEGER_VALUES = {
    'i1': [-128, -1, 0, 1, 127, -100, 42, 7],
    'u1': [0, 1, 127, 128, 200, 255, 42, 7],
    'i2': [-32768, -1, 0, 1, 32767, -300, 258, 7],
    'u2': [0, 1, 255, 256, 32768, 65535, 258, 7],
    'i4': [-2147483648, -1, 0, 1, 2147483647, -70000, 16909060, 7],
    'u4': [0, 1, 65536, 2147483648, 4294967295, 16909060, 258, 7],
    'i8': [-9223372036854775808, -1, 0, 1, 9223372036854775807, -(2 ** 53), 2 ** 53 + 1, 0x0102030405060708],
    'u8': [0, 1, 2 ** 32, 2 ** 63, 2 ** 64 - 1, 2 ** 53, 2 ** 53 + 1, 0x0102030405060708],
}
BOOL_VALUES = [True, False, True, True, False, False]


def specials(dtype):
    """0, -0, 1, -1, inf, -inf, nan, smallest subnormal, largest finite, 1/3, smallest normal."""
    info = np.finfo(dtype)
    values = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan,
              float(info.smallest_subnormal), float(info.max), 1.0 / 3.0, float(info.smallest_normal)]
    return np.array(values, dtype=np.float64).astype(dtype)


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    os.makedirs(CORPUS, exist_ok=True)
    # Remove what an earlier run wrote (fuzzer regression inputs in CORPUS are kept).
    for f in os.listdir(FIXTURES):
        if f.endswith('.npy'):
            os.remove(os.path.join(FIXTURES, f))
    for f in os.listdir(CORPUS):
        if f.startswith(('valid_', 'invalid_', 'edge_')):
            os.remove(os.path.join(CORPUS, f))

    seeds = {}

    # Float dtypes, both byte orders: pattern, shape (3, 4).
    for bits, code in ((16, 'f2'), (32, 'f4'), (64, 'f8')):
        for order, tag in (('<', 'le'), ('>', 'be')):
            data = save('float%d_%s.npy' % (bits, tag), make((3, 4), order + code))
            seeds['float%d_%s' % (bits, tag)] = data

    # Integer dtypes, both byte orders (one-byte types have none): INTEGER_VALUES, shape (2, 4).
    for code, values in INTEGER_VALUES.items():
        name = np.dtype(code).name  # int8, uint16, ...
        if code[1] == '1':
            seeds[name] = save('%s.npy' % name, make((2, 4), '|' + code, values))
        else:
            for order, tag in (('<', 'le'), ('>', 'be')):
                seeds['%s_%s' % (name, tag)] = save('%s_%s.npy' % (name, tag), make((2, 4), order + code, values))

    seeds['bool'] = save('bool.npy', make((2, 3), '|b1', BOOL_VALUES))

    # Fortran order (at least two dimensions longer than 1, or NumPy writes C order).
    save('fortran_f8_le_2x3x4.npy', make((2, 3, 4), '<f8', fortran=True))
    seeds['fortran_f4_be'] = save('fortran_f4_be_3x5.npy', make((3, 5), '>f4', fortran=True))
    save('fortran_f2_le_2x3x2.npy', make((2, 3, 2), '<f2', fortran=True))
    seeds['fortran_i2_be'] = save('fortran_i2_be_4x3.npy', make((4, 3), '>i2', fortran=True))
    save('fortran_u1_3x4.npy', make((3, 4), '|u1', values=list(range(12)), fortran=True))
    save('fortran_f8_be_2x1x3x2x2.npy', make((2, 1, 3, 2, 2), '>f8', fortran=True))

    # Rank 0 through 8, float64 little-endian C order, pattern.
    rank_shapes = [(), (5,), (2, 3), (2, 3, 4), (2, 1, 3, 2), (1, 2, 3, 1, 2), (2, 1, 2, 1, 2, 3),
                   (1, 2, 1, 2, 1, 2, 2), (2, 1, 1, 2, 1, 1, 2, 3)]
    for rank, shape in enumerate(rank_shapes):
        data = save('rank%d.npy' % rank, make(shape, '<f8'))
        if rank in (0, 1, 3):
            seeds['rank%d' % rank] = data
    save('rank0_f2.npy', make((), '<f2'))
    save('rank0_f4_be.npy', make((), '>f4'))
    save('rank0_i4_be.npy', make((), '>i4', values=[-123456]))

    # Empty arrays.
    seeds['empty_f8'] = save('empty_f8_0.npy', make((0,), '<f8'))
    save('empty_f4_3x0.npy', make((3, 0), '<f4'))
    save('empty_f2_be_0x4x2.npy', make((0, 4, 2), '>f2'))
    save('empty_u2_be_0.npy', make((0,), '>u2'))
    save('empty_b1_2x0.npy', make((2, 0), '|b1'))

    # Format versions 2.0 and 3.0.
    seeds['v2'] = save('v2_f8_2x3.npy', make((2, 3), '<f8'), version=(2, 0))
    seeds['v3'] = save('v3_f4_5.npy', make((5,), '<f4'), version=(3, 0))
    save('v2_i4_be_fortran_3x2.npy', make((3, 2), '>i4', fortran=True), version=(2, 0))
    save('v3_f2_be_rank0.npy', make((), '>f2'), version=(3, 0))

    # Special values, checked by bit pattern.
    for bits, code in ((16, 'f2'), (32, 'f4'), (64, 'f8')):
        seeds['specials_f%d' % bits] = save('specials_f%d.npy' % bits, specials('<' + code))
        save('specials_f%d_be.npy' % bits, specials('>' + code))

    # Seed corpus: the small valid files above plus a few invalid ones.
    valid = seeds['float64_le']
    body = valid[10:]
    invalid = {
        'bad_magic': b'\x93NUMPX' + valid[6:],
        'bad_version': valid[:6] + b'\x04\x00' + valid[8:],
        'header_len_beyond': valid[:8] + b'\xff\x7f' + body,
        'truncated_data': valid[:-5],
        'trailing': valid + b'\x00\x00\x00',
        'complex': save_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", b'\x00' * 16),
        'object': save_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b'\x00' * 8),
        'structured': save_bytes("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", b'\x00' * 8),
        'huge_dims': save_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000000), }", b'\x00' * 64),
        'overflow_dims': save_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", b''),
        'negative_dim': save_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 3), }", b''),
        'duplicate_key': save_bytes("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b'\x00' * 8),
        'unknown_key': save_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1, }", b'\x00' * 8),
        'nested': save_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': ((1, [2]),), }", b''),
        'big_int': save_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (123456789012345678901234567890,), }", b''),
        'empty': b'',
    }
    # Unusual but valid: Python 2 long integers, '=' byte order, no padding, any key order.
    edge = {
        'long_suffix': save_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }", b'\x00' * 16),
        'equals_order': save_bytes("{'descr': '=f4', 'fortran_order': True, 'shape': (2, 2), }", b'\x00' * 16),
        'key_order': save_bytes("{'shape': (3,), \"fortran_order\": False, 'descr': '>u2'}", b'\x00\x01' * 3),
        'v3_utf8': save_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (1, 1), }", b'\x00\x3c', version=(3, 0)),
    }
    for name, data in sorted(edge.items()):
        write(os.path.join(CORPUS, 'edge_%s.npy' % name), data)
    for name, data in sorted(seeds.items()):
        write(os.path.join(CORPUS, 'valid_%s.npy' % name), data)
    for name, data in sorted(invalid.items()):
        write(os.path.join(CORPUS, 'invalid_%s.npy' % name), data)

    write_manifest()


def save_bytes(header, data, version=(1, 0)):
    """A .npy file with the given header text (padded as NumPy pads it) and data bytes."""
    text = header.encode('utf-8')
    size_field = 2 if version == (1, 0) else 4
    unpadded = 6 + 2 + size_field + len(text) + 1
    text += b' ' * ((64 - unpadded % 64) % 64) + b'\n'
    length = len(text).to_bytes(size_field, 'little')
    return b'\x93NUMPY' + bytes(version) + length + text + data


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def write_manifest():
    lines = [
        '# .npy test fixtures',
        '',
        'GENERATED by `Scripts/make_npy_fixtures.py` with NumPy %s. Do not edit; rerun the script.' % np.__version__,
        '',
        'Values: float arrays hold `((37 i) mod 101 - 50) / 8` at C-order index `i`; integer',
        'arrays named `fortran_*`/`rank0_*` hold `(37 i) mod 101 - 50` (or the value listed in the script);',
        'other integer and bool arrays hold the per-dtype lists in the script; `specials_*` hold',
        '0, -0, 1, -1, inf, -inf, nan, smallest subnormal, largest finite, 1/3, smallest normal.',
        '',
        '| file | descr | shape | order | version |',
        '|---|---|---|---|---|',
    ]
    for name, descr, shape, order, version, _ in manifest:
        lines.append('| %s | `%s` | `%s` | %s | %s |' % (name, descr, shape, order, version))
    with open(os.path.join(FIXTURES, 'README.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    sys.exit(main())

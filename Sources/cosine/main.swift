print("cosine")

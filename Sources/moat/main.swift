// Placeholder entry point until the launcher lands.
print("moat")

// Tests arrive in a later commit.

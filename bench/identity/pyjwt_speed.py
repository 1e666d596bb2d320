"""PyJWT validation throughput for RS256 and ES256, per second of CPU time.

Prints one JSON line per algorithm, with the same claims, checks (signature,
iss, aud, exp, nbf, iat) and key sizes as `moat-bench speed`.
Usage: python pyjwt_speed.py SECONDS
"""

import json
import sys
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://login.example.test/1921488a-9834-4920-864a-44dfc001e2df/v2.0"
AUDIENCE = "9ac2b0ec-fbc8-4ee2-991e-793f1344adab"


def measure(seconds, algorithm, private_key):
    now = int(time.time())
    claims = {
        "aud": AUDIENCE, "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 3600,
        "azp": "b1878b01-5e5c-4982-a6c3-6028279da626", "oid": "2afeed91-10d6-4063-932f-71f5c7146f3f",
        "tid": "1921488a-9834-4920-864a-44dfc001e2df", "scp": "Chat", "roles": ["Reader"], "sub": "pairwise-subject",
        "ver": "2.0", "preferred_username": "alice@fabrikam.example", "uti": "bench",
    }
    token = jwt.encode(claims, private_key, algorithm=algorithm, headers={"kid": "bench-1"})
    public_key = private_key.public_key()
    start = time.process_time()
    count = 0
    while time.process_time() - start < seconds:
        for _ in range(64):
            jwt.decode(token, public_key, algorithms=[algorithm], audience=AUDIENCE, issuer=ISSUER)
        count += 64
    return count / (time.process_time() - start)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3
    for algorithm, key in (
        ("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ES256", ec.generate_private_key(ec.SECP256R1())),
    ):
        print(json.dumps({"algorithm": algorithm, "layer": "PyJWT jwt.decode", "per_second": int(measure(seconds, algorithm, key))}))


if __name__ == "__main__":
    main()

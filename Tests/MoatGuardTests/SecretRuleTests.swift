import Testing
@testable import MoatGuard

@Suite("Secret rules")
struct SecretRuleTests {
    @Test("PEM private key block is redacted whole")
    func pemBlock() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98yhc2hXQbbm5\nJ1f3kQ0x9K2L8mPzQ7aX4t==\n-----END RSA PRIVATE KEY-----"
        let result = InputGuard().scan("Here is my key:\n\(key)\nthanks")
        #expect(result.verdicts.map(\.ruleID) == [GuardRuleID.secretPrivateKey])
        #expect(result.text == "Here is my key:\n[REDACTED:secret.private-key]\nthanks")
    }

    @Test("public key block is not a secret")
    func publicBlocks() {
        #expect(!rules(in: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----").contains(GuardRuleID.secretPrivateKey))
    }

    @Test("JWT with a JSON header is found")
    func jwt() {
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        #expect(rules(in: "Authorization token \(token) expired").contains(GuardRuleID.secretJWT))
    }

    @Test("vendor keys with their published prefix are found", arguments: [
        "AKIAIOSFODNN7QWERTYU", "ghp_R3aLt0kenL00ksRand0mXyZ9876QwPzKmVt12", "xoxb-2837465019-9182736450-Zq8LmN4pRt7Vw2Ys",
        "sk_live_51HqLmN4pRt7Vw2YsZq8Lm", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "glpat-xR7mK2pQ9vL4nT8wZ3yB",
    ])
    func vendorKeys(key: String) {
        #expect(rules(in: "config: \(key)").contains(GuardRuleID.secretAPIKey))
    }

    @Test("placeholder and demo keys are ignored", arguments: [
        "AKIAIOSFODNN7EXAMPLE", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "sk_live_1234567890abcdefghijklmn",
    ])
    func placeholders(key: String) {
        #expect(!rules(in: "config: \(key)").contains(GuardRuleID.secretAPIKey))
    }

    @Test("a key glued to a preceding word is not a vendor key")
    func prefixBoundary() {
        #expect(!rules(in: "falsesampleATBBcCe6fczW96Vzwgvb4r8F2gZS54D591C4").contains(GuardRuleID.secretAPIKey))
    }

    @Test("connection string password is redacted, the rest is kept")
    func connectionString() {
        let result = InputGuard().scan("DSN postgres://app:S3cr3t-Pa55@db.internal:5432/orders")
        #expect(result.verdicts.map(\.ruleID) == [GuardRuleID.secretConnectionString])
        #expect(result.text == "DSN postgres://app:[REDACTED:secret.connection-string]@db.internal:5432/orders")
    }

    @Test("credential assignments are found", arguments: [
        "password=Prl23Db#@", "\"apiKey\": \"AIhq5Xyb1Gga9Q0z\"", "mysql -u root --password Sne3sd8AZjq", "db_pass: hunter2!",
        "CREATE USER app IDENTIFIED BY 'SqLpa5sW0rD';", "Authorization: Bearer eyJGRpVu1c2VzY2-823r_db32hbf4W1lbj",
        "the password is NsIdksKJdj",
    ])
    func assignments(line: String) {
        #expect(rules(in: line).contains(GuardRuleID.secretCredential))
    }

    @Test("non-secret values after credential names are ignored", arguments: [
        "password = os.environ.get(\"PASSWORD\")", "token: String", "password_id = 2938479", "\"key\": \"attached_file_0\"",
        "AUTH_TOKEN=<an authorization token>", "password = \"0xAb19D82E7f546cC3\"", "a bypass=road", "password: ${DB_PASSWORD}",
    ])
    func nonSecrets(line: String) {
        #expect(!rules(in: line).contains { $0.hasPrefix("secret.") })
    }

    @Test("high-entropy string after a credential word is found")
    func highEntropy() {
        #expect(rules(in: "my signing key is 9fJ2kQ8vL3xR7mW1pZ6tY4bN0cH5sD2g").contains { $0.hasPrefix("secret.") })
    }
}

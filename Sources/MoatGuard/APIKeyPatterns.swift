/// Vendor API keys and tokens recognised by a fixed prefix and the
/// character set and length of what follows, as published by each vendor
/// (for example GitHub's `ghp_`, Stripe's `sk_live_`, AWS's `AKIA`).
enum APIKeyPatterns {
    enum Alphabet: Sendable {
        /// Letters and digits.
        case alphanumeric
        /// Letters, digits, `-` and `_`.
        case base64URL
        /// Letters, digits, `+`, `/`, `=`, `-`, `_` and `.`.
        case base64
        /// `0-9a-f` in either case.
        case hex
        /// Upper-case letters and digits.
        case upperAlphanumeric

        private static let base64Punctuation = ASCIISet("+/=-_.")

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .alphanumeric: scalar.isASCIIAlphanumeric
            case .base64URL: scalar.isASCIIAlphanumeric || scalar == "-" || scalar == "_"
            case .base64: scalar.isASCIIAlphanumeric || Self.base64Punctuation.contains(scalar)
            case .hex: scalar.isASCIIHexDigit
            case .upperAlphanumeric: scalar.isASCIIDigit || (0x41...0x5A).contains(scalar.value)
            }
        }
    }

    struct Pattern: Sendable {
        var vendor: String
        var prefix: String
        var alphabet: Alphabet
        var minimumLength: Int
        var maximumLength: Int = 512

        var prefixScalars: [Unicode.Scalar] { Array(prefix.unicodeScalars) }
    }

    static let patterns: [Pattern] = [
        Pattern(vendor: "AWS access key id", prefix: "AKIA", alphabet: .upperAlphanumeric, minimumLength: 16, maximumLength: 16),
        Pattern(vendor: "AWS access key id", prefix: "ASIA", alphabet: .upperAlphanumeric, minimumLength: 16, maximumLength: 16),
        Pattern(vendor: "AWS access key id", prefix: "ABIA", alphabet: .upperAlphanumeric, minimumLength: 16, maximumLength: 16),
        Pattern(vendor: "AWS access key id", prefix: "ACCA", alphabet: .upperAlphanumeric, minimumLength: 16, maximumLength: 16),
        Pattern(vendor: "AWS access key id", prefix: "A3T", alphabet: .upperAlphanumeric, minimumLength: 17, maximumLength: 17),
        Pattern(vendor: "Amazon Bedrock API key", prefix: "bedrock-api-key-", alphabet: .base64, minimumLength: 20),
        Pattern(vendor: "Amazon Bedrock API key", prefix: "ABSK", alphabet: .base64, minimumLength: 60),
        Pattern(vendor: "AWS AppSync API key", prefix: "da2-", alphabet: .alphanumeric, minimumLength: 26, maximumLength: 26),
        Pattern(vendor: "GitHub token", prefix: "ghp_", alphabet: .alphanumeric, minimumLength: 36),
        Pattern(vendor: "GitHub token", prefix: "gho_", alphabet: .alphanumeric, minimumLength: 36),
        Pattern(vendor: "GitHub token", prefix: "ghu_", alphabet: .alphanumeric, minimumLength: 36),
        Pattern(vendor: "GitHub token", prefix: "ghs_", alphabet: .base64, minimumLength: 36),
        Pattern(vendor: "GitHub token", prefix: "ghr_", alphabet: .alphanumeric, minimumLength: 36),
        Pattern(vendor: "GitHub token", prefix: "github_pat_", alphabet: .base64URL, minimumLength: 50),
        Pattern(vendor: "Slack token", prefix: "xoxb-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "Slack token", prefix: "xoxp-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "Slack token", prefix: "xoxa-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "Slack token", prefix: "xoxe-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "Slack token", prefix: "xapp-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "Anthropic API key", prefix: "sk-ant-", alphabet: .base64URL, minimumLength: 32),
        Pattern(vendor: "OpenAI API key", prefix: "sk-proj-", alphabet: .base64URL, minimumLength: 32),
        Pattern(vendor: "OpenAI API key", prefix: "sk-svcacct-", alphabet: .base64URL, minimumLength: 32),
        Pattern(vendor: "OpenAI API key", prefix: "sk-", alphabet: .alphanumeric, minimumLength: 32),
        Pattern(vendor: "Google API key", prefix: "AIza", alphabet: .base64URL, minimumLength: 35, maximumLength: 35),
        Pattern(vendor: "Google OAuth access token", prefix: "ya29.", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "Google OAuth refresh token", prefix: "1//0", alphabet: .base64URL, minimumLength: 30),
        Pattern(vendor: "Google OAuth client secret", prefix: "GOCSPX-", alphabet: .base64URL, minimumLength: 24),
        Pattern(vendor: "Stripe key", prefix: "sk_live_", alphabet: .alphanumeric, minimumLength: 20),
        Pattern(vendor: "Stripe key", prefix: "sk_test_", alphabet: .alphanumeric, minimumLength: 20),
        Pattern(vendor: "Stripe key", prefix: "pk_live_", alphabet: .alphanumeric, minimumLength: 20),
        Pattern(vendor: "Stripe key", prefix: "pk_test_", alphabet: .alphanumeric, minimumLength: 20),
        Pattern(vendor: "Stripe key", prefix: "rk_live_", alphabet: .alphanumeric, minimumLength: 20),
        Pattern(vendor: "Stripe key", prefix: "rk_test_", alphabet: .alphanumeric, minimumLength: 20),
        Pattern(vendor: "Stripe webhook secret", prefix: "whsec_", alphabet: .alphanumeric, minimumLength: 24),
        Pattern(vendor: "Hugging Face token", prefix: "hf_", alphabet: .alphanumeric, minimumLength: 30),
        Pattern(vendor: "Groq API key", prefix: "gsk_", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "xAI API key", prefix: "xai-", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "Perplexity API key", prefix: "pplx-", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "npm token", prefix: "npm_", alphabet: .alphanumeric, minimumLength: 36),
        Pattern(vendor: "PyPI token", prefix: "pypi-AgEIcHlwaS5vcmc", alphabet: .base64URL, minimumLength: 50),
        Pattern(vendor: "DigitalOcean token", prefix: "dop_v1_", alphabet: .hex, minimumLength: 64),
        Pattern(vendor: "DigitalOcean token", prefix: "doo_v1_", alphabet: .hex, minimumLength: 64),
        Pattern(vendor: "DigitalOcean token", prefix: "dor_v1_", alphabet: .hex, minimumLength: 64),
        Pattern(vendor: "Shopify token", prefix: "shpat_", alphabet: .hex, minimumLength: 32),
        Pattern(vendor: "Shopify token", prefix: "shpss_", alphabet: .hex, minimumLength: 32),
        Pattern(vendor: "Shopify token", prefix: "shpca_", alphabet: .hex, minimumLength: 32),
        Pattern(vendor: "Shopify token", prefix: "shppa_", alphabet: .hex, minimumLength: 32),
        Pattern(vendor: "SonarQube token", prefix: "squ_", alphabet: .hex, minimumLength: 40),
        Pattern(vendor: "SonarQube token", prefix: "sqp_", alphabet: .hex, minimumLength: 40),
        Pattern(vendor: "SonarQube token", prefix: "sqa_", alphabet: .hex, minimumLength: 40),
        Pattern(vendor: "Supabase token", prefix: "sbp_v0_", alphabet: .hex, minimumLength: 40),
        Pattern(vendor: "Supabase token", prefix: "sbp_", alphabet: .hex, minimumLength: 40),
        Pattern(vendor: "SendGrid API key", prefix: "SG.", alphabet: .base64, minimumLength: 60),
        Pattern(vendor: "Mailgun API key", prefix: "key-", alphabet: .hex, minimumLength: 32, maximumLength: 32),
        Pattern(vendor: "age secret key", prefix: "AGE-SECRET-KEY-1", alphabet: .upperAlphanumeric, minimumLength: 58, maximumLength: 58),
        Pattern(vendor: "Atlassian API token", prefix: "ATATT3", alphabet: .base64, minimumLength: 50),
        Pattern(vendor: "Atlassian token", prefix: "ATCTT3", alphabet: .base64, minimumLength: 50),
        Pattern(vendor: "Bitbucket app password", prefix: "ATBB", alphabet: .alphanumeric, minimumLength: 28),
        Pattern(vendor: "Cloudflare API token", prefix: "cfat_", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "Cloudflare API token", prefix: "cfut_", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "Cloudflare API key", prefix: "cfk_", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "Doppler token", prefix: "dp.pt.", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "Doppler token", prefix: "dp.st.", alphabet: .base64URL, minimumLength: 40),
        Pattern(vendor: "Doppler token", prefix: "dp.sa.", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "Figma token", prefix: "figd_", alphabet: .base64URL, minimumLength: 38),
        Pattern(vendor: "Grafana token", prefix: "glc_", alphabet: .base64, minimumLength: 32),
        Pattern(vendor: "Grafana token", prefix: "glsa_", alphabet: .base64URL, minimumLength: 32),
        Pattern(vendor: "GitLab token", prefix: "glpat-", alphabet: .base64, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "gloas-", alphabet: .hex, minimumLength: 64),
        Pattern(vendor: "GitLab token", prefix: "gldt-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "glrt-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "glrtr-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "glcbt-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "glptt-", alphabet: .hex, minimumLength: 40),
        Pattern(vendor: "GitLab token", prefix: "glft-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "glimt-", alphabet: .alphanumeric, minimumLength: 25),
        Pattern(vendor: "GitLab token", prefix: "glagent-", alphabet: .base64URL, minimumLength: 50),
        Pattern(vendor: "GitLab token", prefix: "glsoat-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "glffct-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "glwt-", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "GitLab token", prefix: "GR1348941", alphabet: .base64URL, minimumLength: 20),
        Pattern(vendor: "HashiCorp Vault token", prefix: "hvs.", alphabet: .base64URL, minimumLength: 24),
        Pattern(vendor: "HashiCorp Vault token", prefix: "hvb.", alphabet: .base64URL, minimumLength: 24),
        Pattern(vendor: "Heroku API key", prefix: "HRKU-", alphabet: .base64URL, minimumLength: 30),
        Pattern(vendor: "Linear API key", prefix: "lin_api_", alphabet: .alphanumeric, minimumLength: 40),
        Pattern(vendor: "Netlify token", prefix: "nfp_", alphabet: .alphanumeric, minimumLength: 36),
        Pattern(vendor: "1Password service account token", prefix: "ops_eyJ", alphabet: .base64, minimumLength: 100),
        Pattern(vendor: "RubyGems API key", prefix: "rubygems_", alphabet: .hex, minimumLength: 48),
        Pattern(vendor: "Sentry token", prefix: "sntrys_eyJ", alphabet: .base64, minimumLength: 50),
        Pattern(vendor: "Sentry token", prefix: "sntryu_", alphabet: .hex, minimumLength: 64),
        Pattern(vendor: "Square token", prefix: "EAAA", alphabet: .base64URL, minimumLength: 56),
        Pattern(vendor: "Square credential", prefix: "sq0csp-", alphabet: .base64URL, minimumLength: 40),
        Pattern(vendor: "Square credential", prefix: "sq0atp-", alphabet: .base64URL, minimumLength: 22),
        Pattern(vendor: "Clojars token", prefix: "CLOJARS_", alphabet: .hex, minimumLength: 60),
        Pattern(vendor: "WunderGraph API key", prefix: "cosmo_", alphabet: .hex, minimumLength: 32),
        Pattern(vendor: "Alibaba Cloud access key id", prefix: "LTAI", alphabet: .alphanumeric, minimumLength: 12, maximumLength: 20),
        Pattern(vendor: "Akamai credential", prefix: "akab-", alphabet: .base64URL, minimumLength: 30),
        Pattern(vendor: "Dropbox token", prefix: "sl.", alphabet: .base64URL, minimumLength: 100),
        Pattern(vendor: "JFrog token", prefix: "AKCp", alphabet: .alphanumeric, minimumLength: 60),
        Pattern(vendor: "JFrog token", prefix: "cmVmdGtuOjAxOj", alphabet: .base64, minimumLength: 40),
        Pattern(vendor: "Tencent WeChat app id", prefix: "wx", alphabet: .hex, minimumLength: 16, maximumLength: 16),
    ]

    /// Patterns by their first scalar, longest prefix first, so that
    /// `sk-ant-` wins over `sk-`.
    /// Indexed by the ASCII value of the first scalar (every prefix is ASCII).
    /// The first scalars of all prefixes, to skip positions no prefix starts at.
    static let firstScalars = ASCIISet(String(patterns.map { $0.prefix.unicodeScalars.first! }.map(Character.init)))

    /// True at `first << 7 | second` when a prefix starts with those two
    /// scalars. Every prefix has at least two, so other pairs start none.
    static let firstPairs: BitTable = {
        var table = BitTable(count: 128 * 128)
        for pattern in patterns {
            let prefix = pattern.prefixScalars
            precondition(prefix.count >= 2, "API key prefixes have at least two scalars")
            table.insert(Int(prefix[0].value) << 7 | Int(prefix[1].value))
        }
        return table
    }()

    static let byFirstScalar: [[CompiledPattern]] = {
        var table = [[CompiledPattern]](repeating: [], count: 128)
        for pattern in patterns {
            table[Int(pattern.prefix.unicodeScalars.first!.value)].append(CompiledPattern(pattern))
        }
        return table.map { $0.sorted { $0.prefixScalars.count > $1.prefixScalars.count } }
    }()

    /// A pattern with its prefix split into scalars once, so matching allocates nothing.
    struct CompiledPattern: Sendable {
        var vendor: String
        var prefixScalars: [Unicode.Scalar]
        var alphabet: Alphabet
        var minimumLength: Int
        var maximumLength: Int

        init(_ pattern: Pattern) {
            vendor = pattern.vendor
            prefixScalars = pattern.prefixScalars
            alphabet = pattern.alphabet
            minimumLength = pattern.minimumLength
            maximumLength = pattern.maximumLength
        }
    }
}

// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every Swift target: strict concurrency comes with the
/// Swift 6 language mode; `any` must be spelled out for existentials.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Moat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "moat", targets: ["moat"]),
    ],
    targets: [
        // C libraries from Debian, bridged as system-library targets.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CHTTPParser", path: "Sources/CHTTPParser"),
        .target(name: "CMoatProcess", dependencies: ["COpenSSL"]),

        // Foundations.
        .target(name: "MoatCore", swiftSettings: swiftSettings),
        .target(name: "MoatJSON", dependencies: ["MoatCore"], swiftSettings: swiftSettings),
        .target(name: "MoatCrypto", dependencies: ["COpenSSL", "CMoatProcess", "MoatCore"], swiftSettings: swiftSettings),
        .target(name: "MoatJOSE", dependencies: ["COpenSSL", "MoatCrypto", "MoatJSON", "MoatCore"], swiftSettings: swiftSettings),
        .target(name: "MoatTOML", swiftSettings: swiftSettings),
        .target(name: "MoatConfig", dependencies: ["MoatTOML", "MoatCore"], swiftSettings: swiftSettings),
        .target(name: "MoatHTTP", dependencies: ["CMicroHTTPD", "CCurl", "CHTTPParser", "MoatCore", "MoatJSON"], swiftSettings: swiftSettings),
        .target(name: "MoatSQLite", dependencies: ["CSQLite", "MoatCore"], swiftSettings: swiftSettings),

        // Data, audit and identity.
        .target(name: "MoatData", dependencies: ["MoatSQLite", "MoatCore"], swiftSettings: swiftSettings),
        .target(
            name: "MoatAudit",
            dependencies: ["MoatSQLite", "MoatCrypto", "MoatJSON", "MoatCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MoatIdentity",
            dependencies: ["COpenSSL", "MoatJOSE", "MoatHTTP", "MoatCrypto", "MoatJSON", "MoatCore"],
            swiftSettings: swiftSettings
        ),

        // Components, one per `moat` subcommand.
        .target(
            name: "MoatDevIdP",
            dependencies: ["MoatIdentity", "MoatHTTP", "MoatJOSE", "MoatCrypto", "MoatJSON", "MoatConfig", "MoatTOML", "MoatSQLite", "MoatCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MoatAPI",
            dependencies: ["CCurl", "MoatIdentity", "MoatHTTP", "MoatData", "MoatAudit", "MoatGuard", "MoatJSON", "MoatCrypto", "MoatCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MoatWeb",
            dependencies: ["MoatIdentity", "MoatHTTP", "MoatCrypto", "MoatJSON", "MoatCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MoatGateway",
            dependencies: ["CCurl", "CHTTPParser", "MoatIdentity", "MoatHTTP", "MoatJOSE", "MoatCrypto", "MoatJSON", "MoatSQLite", "MoatCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MoatLauncher",
            dependencies: [
                "MoatConfig", "MoatDevIdP", "MoatAPI", "MoatWeb", "MoatGateway", "MoatData", "MoatAudit",
                "MoatIdentity", "MoatHTTP", "MoatTOML", "MoatCrypto", "MoatCore", "MoatGuard", "MoatJSON",
            ],
            // The demo directory and corpus ship as files so that `moat up` works with no configuration.
            resources: [.copy("Demo")],
            swiftSettings: swiftSettings
        ),
        .target(name: "MoatGuard", dependencies: ["MoatHTTP", "MoatJSON", "MoatCore"], swiftSettings: swiftSettings),
        .executableTarget(name: "moat", dependencies: ["MoatLauncher", "MoatCore"], swiftSettings: swiftSettings),
        // Token validation benchmark and the interoperability tests' signing and validation tool.
        .executableTarget(
            name: "moat-bench",
            dependencies: ["COpenSSL", "MoatIdentity", "MoatJOSE", "MoatCrypto", "MoatJSON", "MoatCore"],
            path: "bench/identity/moat-bench",
            swiftSettings: swiftSettings
        ),

        // Tests.
        .target(name: "MoatTestSupport", path: "Tests/MoatTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "MoatCoreTests", dependencies: ["MoatCore"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatGuardTests", dependencies: ["MoatTestSupport", "MoatGuard", "MoatHTTP", "MoatJSON", "MoatCore"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatJSONTests", dependencies: ["MoatJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatCryptoTests", dependencies: ["MoatTestSupport", "MoatCrypto"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatJOSETests", dependencies: ["MoatTestSupport", "MoatJOSE", "MoatCrypto", "MoatJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatTOMLTests", dependencies: ["MoatTestSupport", "MoatTOML"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatHTTPTests", dependencies: ["MoatTestSupport", "MoatHTTP", "MoatJSON", "MoatCore"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatDataTests", dependencies: ["MoatTestSupport", "MoatData", "MoatSQLite"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatAuditTests", dependencies: ["MoatAudit", "MoatSQLite", "MoatCrypto", "MoatJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatConfigTests", dependencies: ["MoatConfig", "MoatTOML"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatWebTests", dependencies: ["MoatWeb", "MoatHTTP"], swiftSettings: swiftSettings),
        .testTarget(name: "MoatAPITests", dependencies: ["MoatTestSupport", "MoatAPI", "MoatData", "MoatHTTP", "MoatCore", "MoatJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MoatIdentityTests",
            dependencies: ["MoatIdentity", "MoatHTTP", "MoatJOSE", "MoatJSON", "MoatCrypto", "MoatCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MoatDevIdPTests",
            dependencies: ["MoatDevIdP", "MoatIdentity", "MoatHTTP", "MoatJOSE", "MoatJSON", "MoatCrypto", "MoatCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MoatGatewayTests",
            dependencies: ["MoatTestSupport", 
                "MoatGateway", "MoatLauncher", "MoatWeb", "MoatConfig", "MoatDevIdP", "MoatIdentity", "MoatHTTP", "MoatJOSE", "MoatJSON",
                "MoatCrypto", "MoatSQLite", "MoatCore", "COpenSSL",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MoatEndToEndTests",
            dependencies: ["MoatTestSupport", 
                "MoatLauncher", "MoatConfig", "MoatDevIdP", "MoatAPI", "MoatWeb", "MoatIdentity", "MoatAudit",
                "MoatData", "MoatSQLite", "MoatJOSE", "MoatJSON", "MoatCrypto", "MoatHTTP", "MoatCore",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

import MoatCore

extension AccessTokenValidator {
    /// Logs a rejected token without letting a flood of bad tokens flood the log.
    ///
    /// The first rejection per code (the JOSE detail code when there is one,
    /// such as `token_expired`, else the rejection code) is written at warning
    /// level with the request id. Repeats within the validator's
    /// `rejectionLogInterval` are counted and written as
    /// one summary line per code (see ``RepeatedLogLimiter``). The token and
    /// the rejection's reason text are never logged, because the reason can
    /// quote claim values chosen by the sender.
    public func logRejection(_ rejection: TokenRejection, requestID: String, logger: Logger) {
        let code = rejection.detailCode.map { "\(rejection.code.rawValue)/\($0)" } ?? rejection.code.rawValue
        rejectionLog.record(
            code: code, message: "token rejected",
            metadata: [
                "moat.request.id": requestID, "moat.auth.code": rejection.code.rawValue,
                "moat.auth.detail": rejection.detailCode ?? "",
            ],
            logger: logger)
    }
}

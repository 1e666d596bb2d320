import CCurl
import Foundation
import MoatCore

/// A libcurl multi handle with one easy handle, which drives one transfer at
/// a time on whichever thread holds the channel.
///
/// The multi handle keeps the connection cache, so a channel returned to the
/// pool keeps its connection to the upstream open for the next transfer.
final class UpstreamChannel: @unchecked Sendable {
    // @unchecked: a channel belongs to one thread at a time, from `take()` to `give(_:)`.
    let multi: UnsafeMutableRawPointer
    let easy: UnsafeMutableRawPointer

    private init?() {
        CurlLibrary.initialize()
        guard let multi = curl_multi_init() else { return nil }
        guard let easy = curl_easy_init() else {
            curl_multi_cleanup(multi)
            return nil
        }
        self.multi = multi
        self.easy = easy
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_multi_cleanup(multi)
    }

    /// Idle channels, newest last, so a busy pool reuses warm connections.
    private static let idle = LockedValue([UpstreamChannel]())
    /// Idle channels kept; more are closed, with their connections.
    static let maxIdle = 256

    /// Returns an idle channel or a new one; nil only when libcurl has no memory.
    static func take() -> UpstreamChannel? {
        idle.withLock { $0.popLast() } ?? UpstreamChannel()
    }

    /// Returns a channel whose transfer has ended to the pool.
    static func give(_ channel: UpstreamChannel) {
        idle.withLock { channels in
            if channels.count < maxIdle {
                channels.append(channel)
            }
        }
    }

    /// Runs libcurl until the transfer ends or `stop` returns true after a step.
    ///
    /// - Returns: the transfer's result code when it ended, or nil when `stop` ended the loop.
    func drive(until stop: () -> Bool) -> CURLcode? {
        while true {
            var running: Int32 = 0
            let status = curl_multi_perform(multi, &running)
            guard status == CURLM_OK else { return CURLE_FAILED_INIT }
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                if message.pointee.msg == CURLMSG_DONE {
                    return message.pointee.data.result
                }
            }
            if stop() {
                return nil
            }
            // Waits for socket activity; libcurl shortens the wait to its own next timeout.
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}

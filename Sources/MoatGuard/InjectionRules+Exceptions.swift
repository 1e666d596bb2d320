/// Benign phrasings that contain an injection phrase. When an exception
/// matches, it cancels the listed rules whose matches overlap it; other
/// rules in the same text still count.
extension InjectionRules {
    /// Rule id of exception matches, which never become findings.
    static let exceptionRuleID = "exception"

    private static func exception(_ name: String, _ source: String) -> Rule {
        Rule(name: name, ruleID: exceptionRuleID, weight: 0, source: source)
    }

    static let exceptions: [Rule] = [
        // "Ignore my previous question and answer this one": the user takes back
        // something they wrote, which is not an instruction the model was given.
        exception(
            "retract-own-message",
            "OVERRIDE ~0 my|that ~0 PRIOR_ALONE|last ~0 OWN_MESSAGE"
        ),
        // "What is a system prompt?", "What makes a good prompt?": the concept,
        // not this model's prompt, which takes "your", "this" or "the".
        exception("prompt-as-concept", "what|how|why ~2 a|an ~2 PROMPT"),
        // "What does 'system prompt' mean?": the term, asked about without "your".
        exception("prompt-term-meaning", "^what|how ~0 MEANING ~0 system|initial ~0 PROMPT ~0 MEANING"),
        exception("prompt-term-meaning-article", "^what|how ~0 MEANING ~0 a|the ~0 system|initial ~0 PROMPT ~0 MEANING"),
        exception("prompts-as-concept", "^what|how|why ~1 are|do|does|is ~1 system|good|effective ~0 prompts|prompting"),
        // "Act as an advisor to the CEO", "act as a reviewer for my essay": a job or
        // favour, not a persona. "I want you to act as …" is a separate rule and stays.
        exception("act-as-office", "ROLE_VERB ~0 as|like ~0 a|an|the|our|my ~2 OFFICE"),
        // "Enable developer mode in Chrome", "Android developer mode": the
        // device setting, not the jailbreak persona.
        exception("device-developer-mode", "developer ~0 mode ~3 in|on|for|of ~2 DEVICE"),
        exception("device-developer-mode-before", "DEVICE ~3 developer ~0 mode"),
        // "Ignore the previous instructions in the runbook about restarts": steps
        // of a named work document, not the instructions this model was given.
        exception("override-document-steps", "OVERRIDE ~3 PRIOR ~3 INSTRUCTION ~0 in|from ~2 WORK_DOCUMENT"),
        // "What does 'ignore all previous instructions' mean?": a question about the phrase.
        exception("meaning-of-phrase", "^what|how ~1 MEANING ~1 OVERRIDE ~4 MEANING"),
        // "Pretend you are a new employee, what would you ask HR?" requests an
        // ordinary person's point of view. A persona without rules is not one of PERSON_ROLE.
        exception("pretend-ordinary-person", "PRETEND ~2 you ~1 are|were ~1 a|an ~1 PERSON_ROLE"),
    ]

    /// The rules each exception cancels.
    static let cancelledByException: [String: Set<String>] = [
        "retract-own-message": ["override-everything", "override-instructions", "override-own-instructions"],
        "prompt-as-concept": ["mention-prompt", "reveal-prompt", "reveal-prompt-text", "reveal-initial-instructions"],
        "prompt-term-meaning": ["mention-prompt", "reveal-prompt", "reveal-prompt-text", "reveal-initial-instructions"],
        "prompt-term-meaning-article": ["mention-prompt", "reveal-prompt", "reveal-prompt-text", "reveal-initial-instructions"],
        "prompts-as-concept": ["mention-prompt", "reveal-prompt", "reveal-prompt-text", "reveal-initial-instructions"],
        "act-as-office": ["act-as-short"],
        "device-developer-mode": ["developer-mode"],
        "device-developer-mode-before": ["developer-mode"],
        "override-document-steps": ["override-instructions", "override-everything", "override-own-instructions"],
        "meaning-of-phrase": ["override-instructions", "override-everything", "override-own-instructions"],
        "pretend-ordinary-person": ["pretend", "pretend-you-are"],
    ]

    /// Every rule that some exception cancels.
    static let cancellableRuleNames: Set<String> = Set(cancelledByException.values.joined())
}

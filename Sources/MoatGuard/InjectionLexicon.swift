/// Word classes for the prompt-injection rules, in English, German, French,
/// Spanish, Italian, Dutch, Portuguese, Croatian and Russian. Each class
/// names a role a word plays in an injection, not a single phrase, so that
/// rules generalise over the ways an attack can be worded.
enum InjectionLexicon {
    static let classes: [String: [String]] = [
        // Verbs that discard earlier instructions.
        "OVERRIDE": [
            "ignore", "ignoring", "ignores", "ignored", "disregard*", "forget", "forgetting", "forgot", "skip",
            "bypass", "override", "overwrite", "abandon", "discard", "neglect", "overlook",
            "vergiss", "vergessen", "vergesst", "vergiß", "ignoriere", "ignorieren", "ignoriert", "missachte*",
            "oubliez", "oublie", "ignorez", "olvida", "olvide", "olvidar", "olvides", "ignora", "dimentica",
            "vergeet", "negeer", "esqueça", "esqueca", "zaboravi", "забудь", "забудьте", "игнорируй", "игнорируйте",
        ],
        // What came before the attack.
        "PRIOR": [
            "previous", "prior", "preceding", "above", "earlier", "before", "former", "initial", "original",
            "all", "everything", "any",
            "vorherige*", "bisherige*", "vorangehende*", "vorangegangene*", "obige*", "alles", "alle", "allen", "davor",
            "zuvor", "vorher", "toutes", "tout", "précédentes", "todo", "todas", "anteriores", "tutto", "tutte",
            "precedenti", "eerdere", "alle", "sve", "все", "всё", "предыдущие",
        ],
        // The subset of PRIOR that needs no noun: "forget everything", "ignore the above".
        "PRIOR_ALONE": [
            "everything", "above", "previous", "prior", "preceding", "before", "earlier", "alles", "davor", "zuvor",
            "obige*", "tout", "todo", "tutto", "sve", "все", "всё",
        ],
        // Instructions, rules and the context the model was given.
        "INSTRUCTION": [
            "instruction*", "prompt*", "rules", "direction*", "guideline*", "orders", "commands", "context",
            "documents", "articles", "tasks", "assignment*", "information", "programming", "training", "told", "said",
            "discussed", "thoughts",
            "anweisung*", "befehl*", "aufgabe*", "aufträge", "auftrag", "informationen", "regeln", "vorgaben",
            "instruktion*", "ausführungen", "angaben", "gesagte", "besprochen", "consignes", "règles",
            "instrucciones", "istruzioni", "instructies", "instrukcij*", "instruções", "инструкции", "указания",
            "dije", "digo",
        ],
        // Determiners that point at the model's own instructions.
        "DETERMINER": [
            "your", "the", "these", "those", "my", "all", "deine", "deinen", "ihre", "ihren", "die", "den", "vos",
            "tes", "tus", "sus", "le", "les", "las", "los", "le", "tue", "je", "jouw", "suas", "tvoje", "свои",
        ],
        "YOUR": ["your", "deine", "deinen", "deiner", "ihre", "ihren", "ihrer", "vos", "tes", "tus", "tue", "jouw", "tvoje", "твои", "ваши"],
        // Words for the hidden prompt.
        "PROMPT": [
            "prompt", "prompts", "prompt-text", "prompt-texte", "prompt-textes", "prompt_text", "system-prompt",
            "systemprompt", "embeddings", "instructions", "anweisungen", "rules", "guidelines", "programming",
            "directives", "regeln", "instructies", "instrucciones",
        ],
        "REVEAL": [
            "show", "print", "reveal", "output", "display", "repeat", "tell", "spell", "return", "leak", "dump",
            "zeige", "zeigen", "zeig", "drucke", "drucken", "nenne", "gib", "verrate", "affiche", "montre",
            "muestra", "revela", "what", "was",
        ],
        "INITIAL": ["initial", "original", "system", "hidden", "secret", "ursprünglichen", "ursprüngliche", "anfänglichen", "first"],
        "NEW": ["new", "neue", "neuen", "neues", "nouvelle", "nouvelles", "nueva", "nuevas", "nuova", "nieuwe", "additional", "weitere", "next", "nächste"],
        "TASK": [
            "task", "tasks", "instruction", "instructions", "assignment", "assignments", "statement", "aufgabe", "aufgaben",
            "anweisung", "anweisungen", "auftrag", "tâche", "tarea", "compito", "taak",
        ],
        "NOW": ["now", "jetzt", "nun", "maintenant", "ahora", "ora", "nu"],
        "YOU_ARE": ["you", "du", "sie", "tu", "vous", "jij"],
        "ARE": ["are", "bist", "sind", "es", "êtes", "eres", "sei", "bent", "now"],
        "ROLE_VERB": ["act", "acting", "behave", "speak", "talk", "fungieren", "agieren", "auftreten", "agir", "actuar", "agisci", "play"],
        "PRETEND": ["pretend", "imagine", "suppose", "stell", "stellen", "imagina", "imagine", "immagina", "представь"],
        "SAY": [
            "say", "print", "output", "write", "reply", "respond", "answer", "state", "sag", "sage", "sagen", "schreib",
            "schreibe", "antworte", "antworten", "dites", "dis", "écris", "di", "dices", "escribe", "responde", "reponds",
        ],
        "ONLY": ["only", "just", "nur", "exactly", "seulement", "solo", "solamente", "uniquement"],
        "EVERY": ["every", "all", "each", "any", "jede", "jeder", "alle", "toda", "todas", "tout", "tous"],
        "QUESTION": ["question", "questions", "frage", "fragen", "prompt", "message", "messages", "query"],
        "NEGATION": ["not", "don't", "dont", "don'nt", "never", "nicht", "nie", "niemals", "kein", "keine", "without", "disregarding", "ohne", "no", "pas", "sin"],
        "SOURCES": [
            "articles", "documents", "context", "artikel", "artikeln", "dokumente",
            "dokumenten", "kontext", "sources", "artikels", "artikels",
        ],
        "RESTRICTION": [
            "restrictions", "restriction", "filters", "filter", "limits", "limitations", "censorship", "guidelines",
            "rules", "ethics", "morals", "boundaries", "einschränkungen", "regeln", "grenzen", "zensur",
        ],
        "CHARACTER": ["character", "characters", "role", "roles", "rolle", "rollen", "figur", "personaje", "rôle"],
        "STAY": ["stay", "remain", "remains", "stays", "bleiben", "bleibt", "bleib", "keep"],
        "BREAK": ["break", "breaking", "leave", "drop", "fallen", "aus"],
        "PRAISE": [
            "well", "very", "great", "excellent", "fantastic", "wow", "superbly", "super", "simply", "congratulations",
            "gut", "sehr", "toll", "ausgezeichnet", "ausgezeichnete", "hervorragend", "herzlichen", "einfach", "bravo",
            "perfect", "perfekt", "okay", "ok", "good",
        ],
        "HYPOTHETICAL": ["theoretical", "hypothetical", "fictional", "imaginary", "theoretischen", "hypothetischen", "fiktiven"],
        "WORLD": ["world", "scenario", "situation", "welt", "szenario", "universe"],
        // Verbs that ask a model to change its answer: "add … to your response".
        "RESPONSE_EDIT": [
            "add", "integrate", "include", "modify", "enhance", "render", "encode", "encrypt", "translate", "provide",
            "convert", "replace", "rearrange", "remove", "combine", "misspell", "shift", "apply", "introduce",
            "mention", "suggest", "tease", "anagram", "substitute", "invert", "use", "display", "reverse", "write",
            "start", "begin", "end", "format", "shorten", "append", "prepend", "insert", "embed", "emphasize",
            "highlight", "conclude", "finish", "structure", "rephrase", "reword", "capitalize", "spell", "scramble",
        ],
        "RESPONSE": ["response", "answer", "reply", "message", "output"],
        // Names a document uses for the model that reads it.
        "MODEL": ["ai", "assistant", "assistants", "model", "llm", "chatbot", "gpt", "copilot"],
        // Tasks for a general-purpose assistant, as the first word of a sentence.
        "ASSISTANT_TASK": [
            "write", "draft", "compose", "develop", "translate", "describe", "analyze", "analyse", "summarize",
            "summarise", "generate", "encode", "encrypt", "rearrange", "anagram", "misspell", "render",
        ],
        "LANGUAGE_NAME": ["english", "french", "spanish", "german", "japanese", "russian", "chinese", "italian"],
        // Verbs of a task put to a model as "can you …".
        "CAN_YOU_TASK": ["show", "tell", "provide", "write", "give", "use", "reply", "substitute", "invert", "explain", "list"],
        // Past forms of saying: "what I said before".
        "SAID": ["said", "told", "wrote", "gesagt", "geschrieben"],
        // What a user may take back: their own earlier message.
        "OWN_MESSAGE": [
            "question", "questions", "message", "messages", "answer", "reply", "comment", "request", "email", "e-mail",
            "typo", "mistake", "sentence", "search", "query", "frage", "nachricht",
        ],
        // Roles a person takes on at work or for a friend.
        "OFFICE": [
            "advisor", "adviser", "liaison", "contact", "representative", "deputy", "backup", "delegate", "mentor",
            "coach", "sponsor", "reviewer", "proofreader", "member", "chair", "owner", "lead", "coordinator",
            "point", "spokesperson", "ambassador", "champion", "facilitator", "moderator", "referee", "witness",
            "resource", "partner", "consultant", "bridge", "link", "guide", "steward", "custodian", "approver",
        ],
        // Browsers, systems and devices that have a setting called developer mode.
        "DEVICE": [
            "chrome", "chromium", "firefox", "edge", "safari", "opera", "brave", "browser", "android", "iphone", "ipad",
            "ios", "windows", "macos", "mac", "linux", "pixel", "samsung", "xiaomi", "phone", "tablet", "device",
            "settings", "xcode", "vs", "roku", "xbox", "playstation", "kindle", "chromebook", "extension", "extensions",
        ],
        // Verbs that copy text out, without the question words of REVEAL.
        "DUMP": ["print", "output", "dump", "show", "display", "reveal", "repeat", "list", "copy", "echo", "leak", "export"],
        // What keeps a user from documents: "the access filter", "permission checks".
        "ACCESS_GUARD": ["filter", "filters", "control", "controls", "check", "checks", "restriction", "restrictions", "rules", "list", "lists"],
        // How a copy of earlier text is asked for: "verbatim", "starting with …".
        "COPY_MANNER": ["verbatim", "word-for-word", "exactly", "unchanged", "starting", "beginning", "wörtlich"],
        // Pieces of text a prompt is made of, as in "the words above this line".
        "TEXT_UNIT": ["text", "words", "lines", "line", "content", "contents", "message", "messages", "sentence", "point", "paragraph"],
        // Verbs of a question about what a phrase means: "what does … mean".
        "MEANING": ["mean", "means", "meaning", "work", "works", "do", "does"],
        // Documents whose steps a person may tell the assistant to disregard.
        "WORK_DOCUMENT": [
            "runbook", "runbooks", "manual", "handbook", "wiki", "playbook", "guide", "policy", "memo", "ticket",
            "checklist", "sop", "readme", "procedure", "onboarding", "template", "recipe", "spreadsheet",
        ],
        // Ordinary people a user may ask the assistant to imagine being.
        "PERSON_ROLE": [
            "employee", "hire", "starter", "customer", "client", "student", "user", "intern", "colleague", "manager",
            "candidate", "applicant", "tenant", "patient", "visitor", "traveller", "traveler", "parent", "beginner",
        ],
        "CHANGE": ["change", "update", "modify", "replace", "ändere", "ändern", "change", "cambia", "new"],
    ]
}

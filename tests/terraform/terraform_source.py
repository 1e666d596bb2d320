"""Read the Terraform under deploy/azure with python-hcl2 for the baseline tests.

python-hcl2 keeps expressions as strings: a reference or a function call is
"${...}", a quoted literal is the plain string. Blocks become lists of dicts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
# AZURE_TERRAFORM_ROOT points the checks at a copy of deploy/azure (scripts/terraform-test.sh DIR).
CUSTOM_ROOT = bool(os.environ.get("AZURE_TERRAFORM_ROOT"))
AZURE_ROOT = Path(os.environ.get("AZURE_TERRAFORM_ROOT") or REPOSITORY_ROOT / "deploy" / "azure").resolve()
MODULES_ROOT = AZURE_ROOT / "modules"
EXAMPLES_ROOT = AZURE_ROOT / "examples"
MOAT_ENVIRONMENT_SOURCE = REPOSITORY_ROOT / "Sources" / "MoatConfig" / "MoatConfiguration+Environment.swift"

_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)

_ENTRY_KEY = re.compile(r"^\s*\"?([A-Za-z_][A-Za-z0-9_.]*)\"?\s*=\s*(.*)$", re.DOTALL)
_LOCAL_REFERENCE = re.compile(r"\blocal\.([A-Za-z_][A-Za-z0-9_]*)")


def terraform_files(root: Path = AZURE_ROOT) -> list[Path]:
    """Return every .tf file under root, sorted."""
    return sorted(root.rglob("*.tf"))


def parse_text(text: str) -> dict:
    """Parse HCL text; raises the parser's exception on a syntax error."""
    return hcl2.loads(text, serialization_options=_OPTIONS)


def parse_file(path: Path) -> dict:
    return parse_text(path.read_text(encoding="utf-8"))


def is_expression(value: object) -> bool:
    """Return True when a parsed value is an expression (reference, call, template) rather than a literal."""
    return isinstance(value, str) and "${" in value


def first_block(value: object) -> dict:
    """Return a nested block's body: python-hcl2 gives each block as a one-element list."""
    if isinstance(value, list):
        return value[0] if value else {}
    return value if isinstance(value, dict) else {}


@dataclass
class Configuration:
    """The parsed contents of one Terraform folder (a module or a root module)."""

    folder: Path
    resources: dict[tuple[str, str], dict] = field(default_factory=dict)
    modules: dict[str, dict] = field(default_factory=dict)
    locals: dict[str, object] = field(default_factory=dict)
    variables: dict[str, dict] = field(default_factory=dict)
    outputs: dict[str, dict] = field(default_factory=dict)
    # Parsed *.tfvars.example files by file name: sample inputs, which must not carry secrets either.
    tfvars: dict[str, dict] = field(default_factory=dict)
    text: str = ""

    def resources_of_type(self, resource_type: str) -> dict[str, dict]:
        return {name: body for (kind, name), body in self.resources.items() if kind == resource_type}

    def object_entries(self, expression: object) -> dict[str, object]:
        """Return the entries of an object value: a literal, or the object literals and locals merged in an expression."""
        if isinstance(expression, dict):
            return dict(expression)
        if not isinstance(expression, str):
            return {}
        entries: dict[str, object] = {}
        for name in _LOCAL_REFERENCE.findall(expression):
            if name in self.locals:
                entries.update(self.object_entries(self.locals[name]))
        for body in _object_literals(expression):
            for entry in _split_top_level(body):
                match = _ENTRY_KEY.match(entry)
                if not match:
                    continue
                key, value = match.group(1), match.group(2).strip()
                literal = value.startswith('"') and value.endswith('"') and "${" not in value
                entries[key] = value[1:-1] if literal else "${" + value + "}"
        return entries


def _object_literals(expression: str) -> list[str]:
    """Return the bodies of the outermost object literals `{ ... }` in an expression, skipping braces inside strings."""
    bodies = []
    depth = 0
    start = 0
    in_string = False
    index = 0
    while index < len(expression):
        character = expression[index]
        if in_string:
            if character == "\\":
                index += 1
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character == "{" and not (index > 0 and expression[index - 1] in "$%"):
            if depth == 0:
                start = index + 1
            depth += 1
        elif character == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                bodies.append(expression[start:index])
        index += 1
    return bodies


def _split_top_level(body: str) -> list[str]:
    """Split an object body at commas and newlines that are outside strings and brackets."""
    parts = []
    depth = 0
    in_string = False
    current = []
    index = 0
    while index < len(body):
        character = body[index]
        current.append(character)
        if in_string:
            if character == "\\" and index + 1 < len(body):
                index += 1
                current.append(body[index])
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
        elif character in ",\n" and depth == 0:
            current.pop()
            parts.append("".join(current))
            current = []
        index += 1
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def load_configuration(folder: Path) -> Configuration:
    """Parse every .tf file directly in folder into one Configuration."""
    configuration = Configuration(folder=folder)
    for path in sorted(folder.glob("*.tf")):
        configuration.text += path.read_text(encoding="utf-8")
        parsed = parse_file(path)
        for block in parsed.get("resource", []):
            for resource_type, named in block.items():
                for name, body in named.items():
                    configuration.resources[(resource_type, name)] = body
        for block in parsed.get("module", []):
            configuration.modules.update(block)
        for block in parsed.get("locals", []):
            configuration.locals.update(block)
        for block in parsed.get("variable", []):
            configuration.variables.update(block)
        for block in parsed.get("output", []):
            configuration.outputs.update(block)
    for path in sorted(folder.glob("*.tfvars.example")):
        configuration.tfvars[path.name] = parse_file(path)
    return configuration


def module_folders() -> list[Path]:
    """Return every folder under modules/ that contains .tf files."""
    return sorted({path.parent for path in MODULES_ROOT.glob("*/*.tf")})


def example_folders() -> list[Path]:
    """Return every folder under examples/ that contains .tf files, whatever its name."""
    return sorted({path.parent for path in EXAMPLES_ROOT.glob("*/*.tf")})


def example_pattern(example: Configuration) -> object:
    """Return the example's `locals { pattern = N }`, the Moat deployment pattern it builds, or None."""
    return example.locals.get("pattern")


def module_calls(example: Configuration, source_suffix: str) -> dict[str, dict]:
    """Return the example's module calls whose source ends with source_suffix, by module name."""
    return {name: body for name, body in example.modules.items() if str(body.get("source", "")).endswith(source_suffix)}

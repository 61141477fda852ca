"""Which language a file is, and the tree-sitter queries that find its symbols.

Grammars come from the per-language wheels (never downloaded at run time). A language
without a grammar here still gets files + search; only symbols need a grammar.

Query conventions: `@def.<kind>` captures the whole definition node, `@name` its name,
an optional `@container` overrides the nesting-derived container (Go receivers), `@ref`
captures a referenced name and `@ref.member` a method called on some object (`x.pop()`),
which could be anyone's `pop` and so counts for less in the repo map.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

EXTENSIONS: dict[str, str] = {
    ".py": "python", ".pyi": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp",
    ".hh": "cpp", ".hpp": "cpp", ".hxx": "cpp", ".h++": "cpp", ".ipp": "cpp",
    # No grammar installed: indexed for files + search only.
    ".md": "markdown", ".rst": "rst", ".txt": "text", ".json": "json", ".toml": "toml",
    ".yaml": "yaml", ".yml": "yaml", ".html": "html", ".css": "css", ".sh": "shell",
    ".rb": "ruby", ".php": "php", ".kt": "kotlin", ".swift": "swift", ".lua": "lua",
    ".cs": "csharp", ".scala": "scala", ".sql": "sql", ".xml": "xml",
}

_GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "rust": ("tree_sitter_rust", "language"),
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
}

_PYTHON = """
(class_definition name: (identifier) @name) @def.class
(function_definition name: (identifier) @name) @def.function
(module (expression_statement (assignment left: (identifier) @name) @def.variable))
(call function: (identifier) @ref)
(call function: (attribute attribute: (identifier) @ref.member))
(import_from_statement name: (dotted_name (identifier) @ref))
(import_from_statement name: (aliased_import name: (dotted_name (identifier) @ref)))
(class_definition superclasses: (argument_list (identifier) @ref))
(class_definition superclasses: (argument_list (attribute attribute: (identifier) @ref)))
(decorator (identifier) @ref)
(type (identifier) @ref)
"""

_JS_COMMON = """
(function_declaration name: (identifier) @name) @def.function
(generator_function_declaration name: (identifier) @name) @def.function
(method_definition name: (property_identifier) @name) @def.method
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])
  @def.function
(program (lexical_declaration (variable_declarator name: (identifier) @name) @def.variable))
(call_expression function: (identifier) @ref)
(call_expression function: (member_expression property: (property_identifier) @ref.member))
(new_expression constructor: (identifier) @ref)
(import_specifier name: (identifier) @ref)
"""

_JAVASCRIPT = _JS_COMMON + """
(class_declaration name: (identifier) @name) @def.class
(class_heritage (identifier) @ref)
"""

_TYPESCRIPT = _JS_COMMON + """
(class_declaration name: (type_identifier) @name) @def.class
(abstract_class_declaration name: (type_identifier) @name) @def.class
(interface_declaration name: (type_identifier) @name) @def.interface
(type_alias_declaration name: (type_identifier) @name) @def.type
(enum_declaration name: (identifier) @name) @def.enum
(method_signature name: (property_identifier) @name) @def.method
(abstract_method_signature name: (property_identifier) @name) @def.method
(function_signature name: (identifier) @name) @def.function
(internal_module name: (identifier) @name) @def.namespace
(type_identifier) @ref
"""

_RUST = """
(function_item name: (identifier) @name) @def.function
(function_signature_item name: (identifier) @name) @def.function
(struct_item name: (type_identifier) @name) @def.struct
(enum_item name: (type_identifier) @name) @def.enum
(union_item name: (type_identifier) @name) @def.union
(trait_item name: (type_identifier) @name) @def.trait
(impl_item type: (type_identifier) @name) @def.impl
(impl_item type: (generic_type type: (type_identifier) @name)) @def.impl
(mod_item name: (identifier) @name) @def.module
(type_item name: (type_identifier) @name) @def.type
(const_item name: (identifier) @name) @def.constant
(static_item name: (identifier) @name) @def.constant
(macro_definition name: (identifier) @name) @def.macro
(call_expression function: (identifier) @ref)
(call_expression function: (field_expression field: (field_identifier) @ref.member))
(call_expression function: (scoped_identifier name: (identifier) @ref))
(macro_invocation macro: (identifier) @ref)
(type_identifier) @ref
"""

_GO = """
(function_declaration name: (identifier) @name) @def.function
(method_declaration
  receiver: (parameter_list (parameter_declaration
    type: [(type_identifier) @container (pointer_type (type_identifier) @container)]))
  name: (field_identifier) @name) @def.method
(type_spec name: (type_identifier) @name) @def.type
(source_file (const_declaration (const_spec name: (identifier) @name) @def.constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @def.variable))
(call_expression function: (identifier) @ref)
(call_expression function: (selector_expression field: (field_identifier) @ref))
(type_identifier) @ref
"""

_JAVA = """
(class_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(record_declaration name: (identifier) @name) @def.class
(annotation_type_declaration name: (identifier) @name) @def.interface
(method_declaration name: (identifier) @name) @def.method
(constructor_declaration name: (identifier) @name) @def.constructor
(method_invocation name: (identifier) @ref)
(object_creation_expression type: (type_identifier) @ref)
(superclass (type_identifier) @ref)
(type_identifier) @ref
"""

_C_COMMON = """
(function_definition declarator: (function_declarator declarator: (identifier) @name))
  @def.function
(function_definition declarator: (pointer_declarator
  declarator: (function_declarator declarator: (identifier) @name))) @def.function
(declaration declarator: (function_declarator declarator: (identifier) @name)) @def.prototype
(declaration declarator: (pointer_declarator
  declarator: (function_declarator declarator: (identifier) @name))) @def.prototype
(struct_specifier name: (type_identifier) @name body: (_)) @def.struct
(union_specifier name: (type_identifier) @name body: (_)) @def.union
(enum_specifier name: (type_identifier) @name body: (_)) @def.enum
(type_definition declarator: (type_identifier) @name) @def.type
(preproc_def name: (identifier) @name) @def.macro
(preproc_function_def name: (identifier) @name) @def.macro
(call_expression function: (identifier) @ref)
(call_expression function: (field_expression field: (field_identifier) @ref.member))
(type_identifier) @ref
"""

_C = _C_COMMON

_CPP = _C_COMMON + """
(class_specifier name: (type_identifier) @name body: (_)) @def.class
(namespace_definition name: (namespace_identifier) @name) @def.namespace
(function_definition declarator: (function_declarator
  declarator: (qualified_identifier scope: (namespace_identifier) @container
                                    name: (identifier) @name))) @def.method
(function_definition declarator: (function_declarator
  declarator: (qualified_identifier name: (qualified_identifier
    scope: (namespace_identifier) @container name: (identifier) @name)))) @def.method
(function_definition declarator: (function_declarator declarator: (field_identifier) @name))
  @def.method
(field_declaration declarator: (function_declarator declarator: (field_identifier) @name))
  @def.method
(call_expression function: (qualified_identifier name: (identifier) @ref))
(call_expression function: (template_function name: (identifier) @ref))
"""

QUERIES: dict[str, str] = {
    "python": _PYTHON,
    "javascript": _JAVASCRIPT,
    "typescript": _TYPESCRIPT,
    "tsx": _TYPESCRIPT,
    "rust": _RUST,
    "go": _GO,
    "java": _JAVA,
    "c": _C,
    "cpp": _CPP,
}


def language_for(path: str) -> str | None:
    """The language name of `path` by extension (None: unknown, still searchable)."""
    suffix = PurePosixPath(path).suffix.lower()
    return EXTENSIONS.get(suffix)


def has_grammar(language: str | None) -> bool:
    return language in _GRAMMARS


def load_grammar(language: str) -> Any | None:
    """The raw tree-sitter language pointer from its wheel, or None when not installed."""
    spec = _GRAMMARS.get(language)
    if spec is None:
        return None
    module_name, attr = spec
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    factory: Callable[[], Any] | None = getattr(module, attr, None)
    return factory() if factory is not None else None

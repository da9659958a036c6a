"""Checks Python code that uses the jsii-generated cdk8s_sandbox module against the module's own source.

    python3 python_api_check.py <generated __init__.py> <snippet.py>

Run by test/jsii-targets.test.ts on the README's "From Python" example. Both files are parsed with `ast`,
nothing is imported or run. Prints JSON:
  imports   names the snippet imports from cdk8s_sandbox (as the module defines them)
  checked   each call and attribute checked, e.g. "CodeRunnerJobProps.__init__(run_id, code)", "SandboxDefaults.RUN_DEADLINE_SECONDS"
  problems  what the module lacks: an imported name that is not a class (or enum) of the module, a keyword
            argument that is no parameter of the method called (constructors: __init__, whose keyword
            parameters are the props struct's fields in snake_case), a key of a dict literal given for a
            struct parameter that is no field of the struct, a class attribute or method the class lacks
"""
import ast
import json
import re
import sys

MODULE = "cdk8s_sandbox"


def module_classes(tree):
    """Top-level classes of the generated module: name -> {member name -> (parameter names, annotations)}."""
    classes = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        members = {}
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = item.args
                params = a.posonlyargs + a.args + a.kwonlyargs
                members[item.name] = (
                    [p.arg for p in params],
                    {p.arg: ast.unparse(p.annotation) if p.annotation else "" for p in params},
                )
            elif isinstance(item, ast.Assign):
                for t in item.targets:
                    if isinstance(t, ast.Name):
                        members[t.id] = ([], {})
        classes[node.name] = members
    return classes


def main(init_path, snippet_path):
    with open(init_path, encoding="utf-8") as f:
        classes = module_classes(ast.parse(f.read(), init_path))
    with open(snippet_path, encoding="utf-8") as f:
        snippet = ast.parse(f.read(), snippet_path)

    problems, checked, imports = [], [], []
    aliases = {}  # local name -> class of the module
    module_aliases = set()  # local names bound to the module itself
    for node in ast.walk(snippet):
        if isinstance(node, ast.ImportFrom) and node.module == MODULE:
            for n in node.names:
                imports.append(n.name)
                aliases[n.asname or n.name] = n.name
                if n.name not in classes:
                    problems.append(f"{n.name} is imported from {MODULE} but is no class or enum of the generated module")
        elif isinstance(node, ast.Import):
            for n in node.names:
                if n.name == MODULE:
                    module_aliases.add(n.asname or n.name)

    def class_of(expr):
        """The module's class an expression names (`Name` imported, or `module.Name`), else None."""
        if isinstance(expr, ast.Name) and expr.id in aliases:
            return aliases[expr.id]
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in module_aliases:
            if expr.attr not in classes:
                problems.append(f"{MODULE}.{expr.attr} is no class or enum of the generated module")
                return None
            return expr.attr
        return None

    def struct_of(annotation):
        """The struct class a parameter annotation names, e.g. typing.Union["CodeRunnerJobProps", typing.Dict[...]]."""
        names = [n for n in re.findall(r'[\'"]([A-Za-z_][A-Za-z0-9_]*)[\'"]', annotation) if n in classes and "__init__" in classes[n]]
        return names[0] if len(names) == 1 else None

    def check_dict(node, struct, where):
        fields, annotations = classes[struct]["__init__"]
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                checked.append(f"{where}: {struct}[{key.value!r}]")
                if key.value not in fields:
                    problems.append(f"{where}: {key.value!r} is no field of {struct} (its fields: {', '.join(f for f in fields if f != 'self')})")
                elif isinstance(value, ast.Dict) and struct_of(annotations.get(key.value, "")):
                    check_dict(value, struct_of(annotations[key.value]), f"{where}[{key.value!r}]")

    def check_call(call, cls, member):
        if member not in classes[cls]:
            problems.append(f"{cls} has no {member}")
            return
        params, annotations = classes[cls][member]
        names = [k.arg for k in call.keywords if k.arg is not None]
        checked.append(f"{cls}.{member}({', '.join(names)})")
        for k in call.keywords:
            if k.arg is None:
                continue
            if k.arg not in params:
                problems.append(f"{cls}.{member} has no parameter {k.arg} (its parameters: {', '.join(p for p in params if p not in ('self', 'cls'))})")
            elif isinstance(k.value, ast.Dict) and struct_of(annotations.get(k.arg, "")):
                check_dict(k.value, struct_of(annotations[k.arg]), f"{cls}.{member}({k.arg}=...)")
        positional = [p for p in params if p not in ("self", "cls")]
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Dict) and i < len(positional) and struct_of(annotations.get(positional[i], "")):
                check_dict(arg, struct_of(annotations[positional[i]]), f"{cls}.{member}(<{positional[i]}>)")

    called = set()
    for node in ast.walk(snippet):
        if not isinstance(node, ast.Call):
            continue
        cls = class_of(node.func)
        if cls is not None:
            check_call(node, cls, "__init__")
            called.add(id(node.func))
        elif isinstance(node.func, ast.Attribute):
            cls = class_of(node.func.value)
            if cls is not None:
                check_call(node, cls, node.func.attr)
                called.add(id(node.func))
    # Class attributes read without a call: enum members, constants (SandboxDefaults.RUN_DEADLINE_SECONDS).
    for node in ast.walk(snippet):
        if isinstance(node, ast.Attribute) and id(node) not in called:
            cls = class_of(node.value)
            if cls is not None:
                checked.append(f"{cls}.{node.attr}")
                if node.attr not in classes[cls]:
                    problems.append(f"{cls} has no attribute {node.attr}")

    print(json.dumps({"imports": sorted(set(imports)), "checked": checked, "problems": problems}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

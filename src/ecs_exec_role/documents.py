"""Task-definition documents in every shape people keep them, checked by the ECS model.

Accepted shapes:

- the ``RegisterTaskDefinition`` input (camelCase);
- ``aws ecs describe-task-definition`` output, flattened or under ``taskDefinition``;
- a bare array of container definitions (Terraform's ``container_definitions``);
- an ``AWS::ECS::TaskDefinition`` resource, alone or inside a CloudFormation
  template (PascalCase properties).

Every shape becomes a :class:`TaskDefinitionDocument`: the RegisterTaskDefinition
body, validated against the model that botocore ships, and a way back from an
API path to the path in the document the user wrote.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidTaskDefinitionError

if TYPE_CHECKING:
    from botocore.model import Shape

__all__ = [
    "TaskDefinitionDocument",
    "load_json",
    "load_source",
    "read_task_definitions",
]

_CFN_TYPE = "AWS::ECS::TaskDefinition"
_GENERATED_FAMILY = "generated-by-cloudformation"
# describe-task-definition output carries these; RegisterTaskDefinition does not.
_DESCRIBE_MARKERS = frozenset(
    {"taskDefinitionArn", "revision", "status", "registeredAt"}
)


@dataclass(frozen=True)
class TaskDefinitionDocument:
    """One task definition, as RegisterTaskDefinition input.

    ``label`` names where it came from (a file name, a template resource);
    ``intrinsics`` holds the API paths whose CloudFormation value was an
    intrinsic function, which the pipeline must not guess at; ``ignored`` the
    API paths of keys that the ECS API model does not know, which were dropped
    from ``body`` (ECS and the AWS SDKs drop them too).
    """

    body: Mapping[str, Any]
    label: str = ""
    prefix: str = ""
    path_map: Mapping[str, str] = field(default_factory=dict)
    intrinsics: Mapping[str, str] = field(default_factory=dict)
    root: str = ""
    ignored: tuple[str, ...] = ()

    def path(self, api_path: str) -> str:
        """The user's own JSON path for a RegisterTaskDefinition path."""
        mapped = self.path_map.get(api_path, api_path)
        if self.root and mapped.startswith(self.root):
            mapped = mapped[len(self.root) :].lstrip(".")
        if self.prefix:
            mapped = f"{self.prefix}.{mapped}" if mapped else self.prefix
        return f"{self.label}:{mapped}" if self.label else mapped


def load_json(text: str | bytes, *, label: str = "") -> Any:
    """Parse JSON text, or raise an error that says where it stops being JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise _too_deep(label) from None
    except json.JSONDecodeError as error:
        where = f"{label}: " if label else ""
        raise InvalidTaskDefinitionError(
            f"{where}not valid JSON: {error.msg} at line {error.lineno} "
            f"column {error.colno}",
            value=label or None,
        ) from None
    except UnicodeDecodeError as error:
        raise InvalidTaskDefinitionError(
            f"{label or 'input'}: not UTF-8 text ({error.reason})", value=label or None
        ) from None


# No task definition comes near this; a document past it is refused before
# anything recurses into it.
MAX_DEPTH = 64


def _too_deep(label: str) -> InvalidTaskDefinitionError:
    return InvalidTaskDefinitionError(
        f"{label or 'the document'} nests objects and arrays more than "
        f"{MAX_DEPTH} levels deep; no task definition does",
        value=label or None,
    )


def _check_depth(document: Any, *, label: str) -> None:
    """Refuse a value nested deeper than :data:`MAX_DEPTH`, without recursing."""
    level: list[Any] = [document]
    for _ in range(MAX_DEPTH + 1):
        level = [
            child
            for value in level
            if isinstance(value, (dict, list))
            for child in (value.values() if isinstance(value, dict) else value)
        ]
        if not level:
            return
    raise _too_deep(label)


def load_source(source: Any, *, label: str = "") -> Any:
    """A JSON value from a path, JSON text or bytes; any other value is taken as is."""
    if isinstance(source, Path):
        try:
            text = source.read_bytes()
        except OSError as error:
            raise InvalidTaskDefinitionError(
                f"cannot read {source}: {error.strerror}", value=str(source)
            ) from None
        return load_json(text, label=label or source.name)
    if isinstance(source, (str, bytes)):
        return load_json(source, label=label)
    return source


@functools.cache
def _ecs_model() -> Any:
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

    return ServiceModel(Loader().load_service_model("ecs", "service-2"), "ecs")


def _shape(name: str) -> Shape:
    model = _ecs_model()
    if name == "RegisterTaskDefinitionRequest":
        return model.operation_model("RegisterTaskDefinition").input_shape
    return model.shape_for(name)


def _without_nulls(value: Any) -> Any:
    """``value`` without its null members: the ECS API reads null as unset."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _checked(
    document: TaskDefinitionDocument,
    value: Any,
    shape_name: str,
    *,
    at: str = "",
    keep_unknown: bool = False,
) -> tuple[Any, tuple[str, ...]]:
    """``value`` checked against the ECS API model, and the unknown keys dropped.

    ``at`` is the API path of ``value`` within ``document``. A key the model
    does not know is dropped and its API path returned, unless
    ``keep_unknown`` (CloudFormation refuses such keys, so they stay to be
    refused). Any other mismatch raises, naming the user's own JSON path.
    """
    from botocore.validate import ParamValidator

    shape = _shape(shape_name)
    ignored: list[str] = []
    if not keep_unknown:
        value = _known_members(value, shape, at, ignored)
    report = ParamValidator().validate(value, shape)
    if not report.has_errors():
        return value, tuple(ignored)
    # botocore keeps each error as (kind, ".api.path", details).
    errors = getattr(report, "_errors", None)
    if not errors:
        raise InvalidTaskDefinitionError(
            f"{document.path(at) or 'the document'} does not match the ECS API "
            f"model: {report.generate_report()}",
            path=document.path(at),
        )
    problems = [_problem(document, at, error) for error in errors]
    first_path, first_value = problems[0][1], problems[0][2]
    if len(problems) == 1:
        # A problem at the top level has no path: say so, as the listing does.
        message = problems[0][0] if first_path else f"the document: {problems[0][0]}"
        raise InvalidTaskDefinitionError(message, path=first_path, value=first_value)
    listing = "\n".join(
        f"  - {path or 'the document'}: {message}" for message, path, _ in problems
    )
    raise InvalidTaskDefinitionError(
        f"{document.label or 'the document'} does not match the ECS API's "
        f"{shape_name.removesuffix('Request')} shape in {len(problems)} places:\n"
        f"{listing}",
        value=first_value,
    )


def _problem(
    document: TaskDefinitionDocument, at: str, error: tuple[str, str, dict[str, Any]]
) -> tuple[str, str, Any]:
    """One validation error as (message, the user's JSON path, value)."""
    kind, name, details = error
    path = document.path(_join(at, name.lstrip(".")))
    value = details.get("param")
    if kind == "missing required field":
        required = details["required_name"]
        return f"the required setting {required!r} is missing", path, None
    if kind == "unknown field":
        unknown = details["unknown_param"]
        known = ", ".join(details.get("valid_names", ()))
        return (
            (
                f"{unknown!r} is not a setting the ECS API knows here; expected one "
                f"of {known}"
            ),
            _join(path, unknown),
            unknown,
        )
    if kind == "invalid type":
        expected = ", ".join(
            t.removeprefix("<class '").removesuffix("'>")
            for t in details.get("valid_types", ())
        )
        wanted = _json_types(expected)
        article = "an" if wanted[:1] in "aeiou" else "a"
        return (
            (
                f"{value!r} is a JSON {_json_type(value)}; the ECS API expects "
                f"{article} {wanted}"
            ),
            path,
            value,
        )
    if kind == "invalid length":
        # botocore reports the length here, not the value.
        minimum = details["min_allowed"]
        return (
            f"has length {value}; the ECS API expects at least {minimum}",
            path,
            value,
        )
    if kind == "invalid range":
        return f"{value!r} is below the minimum {details['min_allowed']}", path, value
    return f"{kind} ({details})", path, value


def _join(base: str, name: str) -> str:
    if not base or not name:
        return base or name
    return f"{base}{name}" if name.startswith("[") else f"{base}.{name}"


_JSON_TYPES = {
    "str": "string",
    "int": "number",
    "float": "number",
    "bool": "boolean",
    "dict": "object",
    "list": "array",
    "tuple": "array",
    "NoneType": "null",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value).__name__, type(value).__name__)


def _json_types(python_types: str) -> str:
    names = [
        _JSON_TYPES.get(name.strip(), name.strip()) for name in python_types.split(",")
    ]
    return " or ".join(dict.fromkeys(names)) or "another type"


def _known_members(value: Any, shape: Shape, at: str, ignored: list[str]) -> Any:
    """``value`` without the structure keys that ``shape`` does not know."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        kept: dict[str, Any] = {}
        for key, item in value.items():
            member = members.get(key)
            if member is None:
                ignored.append(_join(at, key))
                continue
            kept[key] = _known_members(item, member, _join(at, key), ignored)
        return kept
    if kind == "list" and isinstance(value, list):
        member = shape.member
        return [
            _known_members(item, member, f"{at}[{index}]", ignored)
            for index, item in enumerate(value)
        ]
    if kind == "map" and isinstance(value, dict):
        item_shape = shape.value
        return {
            key: _known_members(item, item_shape, _join(at, key), ignored)
            for key, item in value.items()
        }
    return value


# One return per accepted shape reads better than a dispatch table.
def read_task_definitions(  # noqa: PLR0911
    document: Any, *, label: str = ""
) -> list[TaskDefinitionDocument]:
    """Every task definition in ``document``, in any of the accepted shapes.

    Raises :class:`InvalidTaskDefinitionError`, naming the JSON path, when the
    document is none of them or does not match the ECS API model.
    """
    where = label or "the document"
    _check_depth(document, label=label)
    document = _without_nulls(document)
    if isinstance(document, list):
        return [_container_array(document, label=label)]
    if not isinstance(document, dict):
        raise InvalidTaskDefinitionError(
            f"{where} is a JSON {_json_type(document)}; expected a task "
            "definition object, a list of container definitions or a "
            "CloudFormation template",
            value=document,
        )
    if isinstance(document.get("Resources"), dict):
        return _template(document["Resources"], label=label)
    if document.get("Type") == _CFN_TYPE:
        return [_cloudformation(document, label=label, prefix="")]
    if isinstance(document.get("taskDefinition"), dict):
        return [
            _describe(document["taskDefinition"], label=label, prefix="taskDefinition")
        ]
    if _DESCRIBE_MARKERS & document.keys():
        return [_describe(document, label=label, prefix="")]
    if "containerDefinitions" in document:
        unchecked = TaskDefinitionDocument(document, label=label)
        body, ignored = _checked(unchecked, document, "RegisterTaskDefinitionRequest")
        return [replace(unchecked, body=body, ignored=ignored)]
    if "name" in document and "image" in document:
        return [_container_array([document], label=label, single=True)]
    raise InvalidTaskDefinitionError(
        f"{where} is not a task definition: it has no 'containerDefinitions' "
        "(RegisterTaskDefinition input), 'taskDefinition' (describe-task-definition "
        "output) or 'Resources' (CloudFormation template)",
        value=sorted(document)[:10],
    )


def _describe(body: Any, *, label: str, prefix: str) -> TaskDefinitionDocument:
    # Flattened describe-task-definition output may keep the tags beside it.
    tags = body.get("tags")
    body = {key: value for key, value in body.items() if key != "tags"}
    unchecked = TaskDefinitionDocument(body, label=label, prefix=prefix)
    body, ignored = _checked(unchecked, body, "TaskDefinition")
    if tags is not None:
        _checked(unchecked, tags, "Tags", at="tags")
    return replace(unchecked, body=body, ignored=ignored)


def _container_array(
    containers: list[Any], *, label: str, single: bool = False
) -> TaskDefinitionDocument:
    # Paths start at the array, or at the lone container definition.
    root = "containerDefinitions[0]" if single else "containerDefinitions"
    unchecked = TaskDefinitionDocument(
        {"containerDefinitions": containers}, label=label, root=root
    )
    checked: list[Any] = []
    ignored: list[str] = []
    for index, container in enumerate(containers):
        at = f"containerDefinitions[{index}]"
        kept, dropped = _checked(unchecked, container, "ContainerDefinition", at=at)
        checked.append(kept)
        ignored += dropped
    return replace(
        unchecked, body={"containerDefinitions": checked}, ignored=tuple(ignored)
    )


def _template(
    resources: Mapping[str, Any], *, label: str
) -> list[TaskDefinitionDocument]:
    found = [
        _cloudformation(resource, label=label, prefix=f"Resources.{name}")
        for name, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") == _CFN_TYPE
    ]
    if not found:
        raise InvalidTaskDefinitionError(
            f"{label or 'the template'} holds no {_CFN_TYPE} resource", value=None
        )
    return found


def _cloudformation(
    resource: Mapping[str, Any], *, label: str, prefix: str
) -> TaskDefinitionDocument:
    properties = resource.get("Properties", {})
    properties_path = f"{prefix}.Properties" if prefix else "Properties"
    if not isinstance(properties, dict):
        raise InvalidTaskDefinitionError(
            f"{properties_path}: expected an object of task-definition properties",
            path=properties_path,
            value=properties,
        )
    converter = _CloudFormationConverter()
    body = converter.convert(
        properties, _shape("RegisterTaskDefinitionRequest"), "", ""
    )
    # CloudFormation names the family after the stack when Family is not set.
    body.setdefault("family", _GENERATED_FAMILY)
    document = TaskDefinitionDocument(
        body,
        label=label,
        prefix=properties_path,
        path_map=converter.path_map,
        intrinsics=converter.intrinsics,
    )
    # CloudFormation refuses keys its schema does not know: so do we.
    _checked(document, body, "RegisterTaskDefinitionRequest", keep_unknown=True)
    return document


class _CloudFormationConverter:
    """PascalCase CloudFormation properties to camelCase API input, led by the model.

    Keys are matched to the model's member names without regard to case, so
    ``FSxWindowsFileServerVolumeConfiguration`` finds its member too; map keys
    (log options, labels) are left alone; scalars that CloudFormation accepts as
    strings ("512", "true") take the model's type. An intrinsic function is
    recorded and replaced by a placeholder of the right type, so validation
    passes and the reader can refuse it if it needs that value.
    """

    def __init__(self) -> None:
        self.path_map: dict[str, str] = {}
        self.intrinsics: dict[str, str] = {}

    def convert(self, value: Any, shape: Shape, api_path: str, cfn_path: str) -> Any:
        self.path_map[api_path] = cfn_path
        intrinsic = _intrinsic_name(value)
        if intrinsic is not None:
            self.intrinsics[api_path] = intrinsic
            return _placeholder(shape)
        kind = shape.type_name
        if kind == "structure" and isinstance(value, dict):
            return self._structure(value, shape, api_path, cfn_path)
        if kind == "list" and isinstance(value, list):
            return [
                self.convert(item, shape.member, f"{api_path}[{i}]", f"{cfn_path}[{i}]")
                for i, item in enumerate(value)
            ]
        if kind == "map" and isinstance(value, dict):
            return {
                key: self.convert(
                    item, shape.value, f"{api_path}.{key}", f"{cfn_path}.{key}"
                )
                for key, item in value.items()
            }
        return _scalar(value, kind)

    def _structure(
        self, value: dict[str, Any], shape: Shape, api_path: str, cfn_path: str
    ) -> dict[str, Any]:
        members = {name.lower(): name for name in shape.members}
        converted: dict[str, Any] = {}
        for key, item in value.items():
            name = members.get(key.lower(), key)
            member_api = f"{api_path}.{name}" if api_path else name
            member_cfn = f"{cfn_path}.{key}" if cfn_path else key
            member_shape = shape.members.get(name)
            if member_shape is None:
                # Unknown key: kept as is, so validation names it.
                converted[key] = item
                self.path_map[member_api] = member_cfn
                continue
            converted[name] = self.convert(item, member_shape, member_api, member_cfn)
        return converted


def _intrinsic_name(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if key == "Ref" or key.startswith("Fn::"):
            return str(key)
    return None


def _placeholder(shape: Shape) -> Any:
    return {
        "string": "",
        "integer": 0,
        "long": 0,
        "boolean": False,
        "list": [],
        "map": {},
        "structure": {},
    }.get(shape.type_name, "")


def _scalar(value: Any, kind: str) -> Any:
    if isinstance(value, str):
        if kind in ("integer", "long") and value.strip().lstrip("-").isdigit():
            return int(value)
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
    return value

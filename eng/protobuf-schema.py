#!/usr/bin/env python3
"""Writes the field table the emulator decodes Kubernetes protobuf request bodies with.

Usage: protobuf-schema.py API_CHECKOUT APIMACHINERY_CHECKOUT > src/Chaos.Testing.Emulator/Api/ProtobufMessages.txt
It reads the generated.proto files of k8s.io/api and k8s.io/apimachinery (the wire contract) and keeps, per
message, each field's number, JSON name, label (o optional, z optional and left out at its zero value as Go's JSON
encoding leaves it out: omitempty and not a pointer, r repeated, m map with string keys) and type; it reads the Go
struct tags beside each .proto for z.
"""
import os
import re
import sys

API_GROUPS = ["core", "apps", "policy", "networking", "coordination", "authorization", "batch", "rbac",
              "autoscaling", "discovery", "authentication", "scheduling", "storage"]
MACHINERY = ["pkg/apis/meta/v1", "pkg/runtime", "pkg/util/intstr", "pkg/api/resource"]
SCALARS = {"string", "bool", "int32", "int64", "bytes", "double", "float", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64"}
FIELD = re.compile(r"^\s*(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)")
MAP = re.compile(r"^\s*map<\s*(\w+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)")


GO_STRUCT = re.compile(r"^type\s+(\w+)\s+struct\s*\{")
GO_FIELD = re.compile(r'^\s+\w+\s+(\S+)\s+`json:"([^"]*)"[^`]*protobuf:"[^"]*name=(\w+)')


def go_fields(folder):
    """(struct, proto field) -> True when Go's JSON encoding omits the field at its zero value (omitempty, no pointer)."""
    omitted = {}
    for name in os.listdir(folder):
        if not name.endswith(".go") or name.endswith("_test.go"):
            continue
        struct = None
        for line in open(os.path.join(folder, name), encoding="utf-8"):
            if m := GO_STRUCT.match(line):
                struct = m.group(1)
            elif line.startswith("}"):
                struct = None
            elif struct and (m := GO_FIELD.match(line)):
                go_type, json_tag, proto_name = m.groups()
                omitted[(struct, proto_name)] = "omitempty" in json_tag and not go_type.startswith("*")
    return omitted


def parse(path, out):
    package = None
    message = None
    omitted = go_fields(os.path.dirname(path))
    for line in open(path, encoding="utf-8"):
        line = line.split("//")[0]
        if m := re.match(r"^package\s+([\w.]+);", line):
            package = m.group(1)
        elif m := re.match(r"^message\s+(\w+)\s*\{", line):
            message = package + "." + m.group(1)
            out.append(f"message {message}")
        elif line.startswith("}"):
            message = None
        elif message and (m := FIELD.match(line)):
            label, kind, name, number = m.groups()
            short = message.rsplit(".", 1)[1]
            flag = "r" if label == "repeated" else "z" if kind in SCALARS and omitted.get((short, name)) else "o"
            out.append(f"{number} {name} {flag} {qualify(kind, package)}")
        elif message and (m := MAP.match(line)):
            key, kind, name, number = m.groups()
            assert key == "string", line
            out.append(f"{number} {name} m {qualify(kind, package)}")


def qualify(kind, package):
    kind = kind.lstrip(".")
    return kind if kind in SCALARS or "." in kind else package + "." + kind


def main():
    api, machinery = sys.argv[1], sys.argv[2]
    out = []
    for group in API_GROUPS:
        for version in sorted(os.listdir(os.path.join(api, group))):
            if re.fullmatch(r"v\d+", version) and os.path.exists(os.path.join(api, group, version, "generated.proto")):
                parse(os.path.join(api, group, version, "generated.proto"), out)
    for folder in MACHINERY:
        parse(os.path.join(machinery, folder, "generated.proto"), out)
    print("\n".join(out))


main()

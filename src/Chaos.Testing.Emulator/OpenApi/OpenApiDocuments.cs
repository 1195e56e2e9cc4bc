using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.OpenApi;

/// <summary>
/// The API server's OpenAPI documents for the served kinds: <c>/openapi/v2</c> (one Swagger 2.0 document) and
/// <c>/openapi/v3</c> (an index of one OpenAPI 3.0 document per group version). Each kind has its paths with the
/// operations its verbs allow; every write operation takes the <c>dryRun</c>, <c>fieldManager</c> and
/// <c>fieldValidation</c> query parameters, which is how kubectl learns that the server validates fields itself.
/// </summary>
internal static class OpenApiDocuments
{
    private const string PatchSchema = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
    private const string StatusSchema = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";

    /// <summary>The Swagger 2.0 document of every served kind.</summary>
    public static JsonObject V2(string kubernetesVersion)
    {
        var definitions = ModelSchemas.Build(ResourceTypes.Served, "#/definitions/", v3: false);
        definitions[PatchSchema] = new JsonObject { ["type"] = "object" };
        return new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = kubernetesVersion },
            ["paths"] = Paths(ResourceTypes.Served, v3: false),
            ["definitions"] = definitions,
        };
    }

    /// <summary>The OpenAPI 3.0 document of one group version (<c>api/v1</c>, <c>apis/apps/v1</c>), or null.</summary>
    public static JsonObject? V3(string groupVersionPath, string kubernetesVersion)
    {
        var types = ResourceTypes.Served.Where(t => PathOf(t) == groupVersionPath).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var schemas = ModelSchemas.Build(types, "#/components/schemas/", v3: true);
        schemas[PatchSchema] = new JsonObject { ["type"] = "object" };
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = kubernetesVersion },
            ["paths"] = Paths(types, v3: true),
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    /// <summary>The <c>/openapi/v3</c> index: each group version's document, addressed with a hash of its content.</summary>
    public static JsonObject V3Index(string kubernetesVersion)
    {
        var paths = new JsonObject();
        foreach (var path in ResourceTypes.Served.Select(PathOf).Distinct())
        {
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(V3(path, kubernetesVersion)!.ToJsonString())));
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    private static string PathOf(ResourceType type) => type.Group.Length == 0 ? $"api/{type.Version}" : $"apis/{type.Group}/{type.Version}";

    private static JsonObject Paths(IEnumerable<ResourceType> types, bool v3)
    {
        var paths = new JsonObject();
        foreach (var type in types)
        {
            var root = "/" + PathOf(type) + (type.Namespaced ? "/namespaces/{namespace}/" : "/") + type.Plural;
            var scope = type.Namespaced ? new[] { "namespace" } : [];
            var kind = "#/" + (v3 ? "components/schemas/" : "definitions/") + ModelSchemas.NameOf(type);
            var collection = new JsonObject();
            Add(collection, type, "get", "list", $"list{type.Kind}", scope, kind, false, v3);
            Add(collection, type, "post", "create", $"create{type.Kind}", scope, kind, true, v3);
            Add(collection, type, "delete", "deletecollection", $"deletecollection{type.Kind}", scope, kind, false, v3);
            paths[root] = collection;

            var item = new JsonObject();
            string[] named = [.. scope, "name"];
            Add(item, type, "get", "get", $"read{type.Kind}", named, kind, false, v3);
            Add(item, type, "put", "update", $"replace{type.Kind}", named, kind, true, v3);
            Add(item, type, "patch", "patch", $"patch{type.Kind}", named, kind, true, v3);
            Add(item, type, "delete", "delete", $"delete{type.Kind}", named, kind, false, v3);
            if (item.Count > 0)
            {
                paths[root + "/{name}"] = item;
            }
        }

        return paths;
    }

    private static void Add(
        JsonObject path, ResourceType type, string method, string verb, string operationId, string[] pathParameters, string kind, bool write, bool v3)
    {
        if (!type.Verbs.Contains(verb))
        {
            return;
        }

        var parameters = new JsonArray();
        foreach (var name in pathParameters)
        {
            parameters.Add(Parameter(name, "path", v3));
        }

        if (write || verb is "delete" or "deletecollection")
        {
            parameters.Add(Parameter("dryRun", "query", v3));
        }

        if (write)
        {
            parameters.Add(Parameter("fieldManager", "query", v3));
            parameters.Add(Parameter("fieldValidation", "query", v3));
        }

        if (verb == "patch")
        {
            parameters.Add(Parameter("force", "query", v3, "boolean"));
        }

        var body = verb == "patch" ? "#/" + (v3 ? "components/schemas/" : "definitions/") + PatchSchema : kind;
        var result = verb is "delete" or "deletecollection" && !type.ReturnsDeletedObject ? kind.Replace(ModelSchemas.NameOf(type), StatusSchema, StringComparison.Ordinal) : kind;
        if (verb == "list")
        {
            parameters.Add(Parameter("labelSelector", "query", v3));
            parameters.Add(Parameter("fieldSelector", "query", v3));
            parameters.Add(Parameter("watch", "query", v3, "boolean"));
        }

        var operation = new JsonObject
        {
            ["operationId"] = operationId,
            ["parameters"] = parameters,
            ["x-kubernetes-action"] = verb == "create" ? "post" : verb == "update" ? "put" : verb,
            ["x-kubernetes-group-version-kind"] = ModelSchemas.Gvk(type),
        };
        var ok = new JsonObject { ["description"] = "OK" };
        if (v3)
        {
            ok["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = result } } };
            if (write)
            {
                operation["requestBody"] = new JsonObject
                {
                    ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = body } } },
                    ["required"] = true,
                };
            }
        }
        else
        {
            ok["schema"] = new JsonObject { ["$ref"] = result };
            if (write)
            {
                parameters.Add(new JsonObject { ["name"] = "body", ["in"] = "body", ["required"] = true, ["schema"] = new JsonObject { ["$ref"] = body } });
            }
        }

        operation["responses"] = new JsonObject { ["200"] = ok };
        path[method] = operation;
    }

    private static JsonObject Parameter(string name, string location, bool v3, string type = "string")
    {
        var parameter = new JsonObject { ["name"] = name, ["in"] = location };
        if (location == "path")
        {
            parameter["required"] = true;
        }

        if (v3)
        {
            parameter["schema"] = new JsonObject { ["type"] = type };
        }
        else
        {
            parameter["type"] = type;
            parameter["uniqueItems"] = true;
        }

        return parameter;
    }
}

using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Api;

/// <summary>An API error that the server writes as a real Kubernetes <c>Status</c> object.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    /// <summary>True when an API fault rule produced this error rather than the request itself.</summary>
    public bool Injected { get; init; }

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{Qualified(type)} \"{name}\" not found", Describe(type, name));

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{Qualified(type)} \"{name}\" already exists", Describe(type, name));

    public static ApiException Conflict(ResourceType type, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {Qualified(type)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            Describe(type, name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    /// <summary>An unexpected failure of the emulator, shaped like the API server's answer to a panic.</summary>
    public static ApiException Internal(Exception ex) =>
        new(500, "InternalError", $"Internal error occurred: {ex.GetType().Name}: {ex.Message}", new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject { ["message"] = $"{ex.GetType().Name}: {ex.Message}" }),
        });

    /// <summary>
    /// The NamespaceLifecycle admission's refusal of a create (an eviction included) in a namespace being deleted:
    /// 403 with the cause <c>NamespaceTerminating</c> on <c>metadata.namespace</c>, as the API server sends it.
    /// </summary>
    public static ApiException NamespaceTerminating(ResourceType type, string? name, string ns)
    {
        var details = Describe(type, name ?? string.Empty);
        details["causes"] = new JsonArray(new JsonObject
        {
            ["reason"] = "NamespaceTerminating",
            ["message"] = $"namespace {ns} is being terminated",
            ["field"] = "metadata.namespace",
        });
        return new(403, "Forbidden", $"{Qualified(type)} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", details);
    }

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var details = Describe(type, name);
        var causes = new JsonArray();
        foreach (var error in errors)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = error.Reason,
                ["message"] = error.Message,
                ["field"] = error.Field,
            });
        }

        details["causes"] = causes;
        var list = errors.Count == 1
            ? errors[0].ToString()
            : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        return new ApiException(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {list}", details);
    }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }

    public static string Qualified(ResourceType type) => type.Group.Length == 0 ? type.Plural : $"{type.Plural}.{type.Group}";

    private static JsonObject Describe(ResourceType type, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = type.Plural;
        return details;
    }
}

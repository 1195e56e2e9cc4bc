namespace Chaos.Testing.Emulator.Api;

/// <summary>One validation error, shaped like the API server's <c>field.Error</c>.</summary>
internal sealed record FieldError(string Reason, string Field, string Message)
{
    public static FieldError Required(string field, string detail = "") =>
        new("FieldValueRequired", field, detail.Length == 0 ? "Required value" : $"Required value: {detail}");

    public static FieldError Invalid(string field, string value, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: \"{value}\": {detail}");

    public static FieldError Forbidden(string field, string detail) =>
        new("FieldValueForbidden", field, $"Forbidden: {detail}");

    public static FieldError TooLong(string field, int max) =>
        new("FieldValueTooLong", field, $"Too long: may not be more than {max} bytes");

    public static FieldError Duplicate(string field, string value) =>
        new("FieldValueDuplicate", field, $"Duplicate value: \"{value}\"");

    public static FieldError NotSupported(string field, string value, IEnumerable<string> allowed) =>
        new("FieldValueNotSupported", field,
            $"Unsupported value: \"{value}\": supported values: {string.Join(", ", allowed.Select(a => $"\"{a}\""))}");

    public override string ToString() => $"{Field}: {Message}";
}

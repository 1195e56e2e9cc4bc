using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// An inclusive range of whole numbers, declared once by the payload spec that needs it and used by both sides: the
/// options report a value outside it as a user's error, the spec refuses it as a programming error.
/// </summary>
/// <param name="Min">The smallest value allowed.</param>
/// <param name="Max">The largest value allowed.</param>
internal readonly record struct IntRange(int Min, int Max)
{
    public bool Contains(int value) => value >= Min && value <= Max;

    /// <summary>Adds <c>"{field}: must be between {Min} and {Max} ({note}), was {value}."</c> when the value is outside.</summary>
    public void Check(string field, int value, ICollection<string> errors, string? note = null)
    {
        if (!Contains(value))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{field}: must be between {Min} and {Max}{(note is null ? string.Empty : $" ({note})")}, was {value}."));
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when the value is outside (a spec built without the options' check).</summary>
    public int Guard(int value, string paramName) =>
        Contains(value) ? value : throw new ArgumentOutOfRangeException(paramName, value, $"must be between {Min} and {Max}");
}

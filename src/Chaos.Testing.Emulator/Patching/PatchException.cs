namespace Chaos.Testing.Emulator.Patching;

/// <summary>Raised when a patch document is malformed or cannot be applied to its target.</summary>
internal sealed class PatchException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public PatchException()
        : base("the patch could not be applied")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What went wrong.</param>
    public PatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying failure.</param>
    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>Some objects of a controller pass failed; the others were handled. The first failure is the inner exception.</summary>
internal sealed class ControllerObjectException : Exception
{
    public ControllerObjectException()
    {
    }

    public ControllerObjectException(string message)
        : base(message)
    {
    }

    public ControllerObjectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

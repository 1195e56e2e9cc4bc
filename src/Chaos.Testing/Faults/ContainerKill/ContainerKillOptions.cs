namespace Chaos.Testing;

/// <summary>Options of the container kill fault.</summary>
public sealed class ContainerKillOptions : PayloadOptions
{
    /// <summary>Initializes a new instance of the <see cref="ContainerKillOptions"/> class.</summary>
    public ContainerKillOptions()
        : base(DiskFillOptions.DefaultImage)
    {
    }

    /// <summary>
    /// Gets or sets the signal sent to the container's main process (PID 1): TERM, INT, QUIT, HUP, USR1, USR2 or ABRT.
    /// KILL cannot be sent from inside the container's PID namespace (the kernel drops it for PID 1), so it is refused;
    /// use <c>Kill()</c> on the pod for a hard kill.
    /// </summary>
    /// <value>The default value is <c>TERM</c>.</value>
    public string Signal { get; set; } = "TERM";

    internal void Validate(ICollection<string> errors)
    {
        ValidatePayload("KillContainer", errors);
        var name = (Signal ?? string.Empty).Trim().ToUpperInvariant();
        name = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        if (name is "KILL" or "STOP")
        {
            errors.Add($"KillContainer.Signal: {name} never reaches a container's PID 1 from inside its PID namespace (the kernel drops it); use TERM (the default), or Kill() the pod.");
        }
        else if (name is not ("TERM" or "INT" or "QUIT" or "HUP" or "USR1" or "USR2" or "ABRT"))
        {
            errors.Add($"KillContainer.Signal: must be TERM, INT, QUIT, HUP, USR1, USR2 or ABRT, was \"{Signal}\".");
        }
    }
}

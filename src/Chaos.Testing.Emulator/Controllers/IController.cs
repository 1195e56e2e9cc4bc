namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// One simulated controller. The <see cref="ControllerManager"/> calls every controller once per pass, in a fixed
/// order, on its single loop: a controller never races another, so it reads the store and writes it without locks.
/// A controller that throws is reported and the pass goes on with the next one.
/// </summary>
internal interface IController
{
    /// <summary>Gets the controller's name, as reported with its failures.</summary>
    string Name { get; }

    /// <summary>Brings what the controller owns one step towards what the store declares.</summary>
    /// <param name="now">The time of the pass, the same for every controller of it.</param>
    void Reconcile(DateTimeOffset now);
}

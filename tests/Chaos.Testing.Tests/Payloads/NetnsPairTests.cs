using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads;

public sealed class NetnsPairTests
{
    [PayloadFact("ip", "ping")]
    public void Pair_PodAndPeerReachEachOther()
    {
        using var pair = new NetnsPair();
        NetnsPair.Exec(pair.Pod, "ping", "-c", "1", "-W", "2", pair.PeerIp).Should().Contain("1 received");
    }
}

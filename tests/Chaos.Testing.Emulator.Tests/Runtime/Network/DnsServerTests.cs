using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Testing.Emulator.Runtime.Network;

namespace Chaos.Testing.Emulator.Tests.Runtime.Network;

/// <summary>The pods' DNS server, on the loopback interface: answers from its table, NXDOMAIN otherwise, and survives junk.</summary>
public sealed class DnsServerTests
{
    private static readonly Dictionary<string, IPAddress[]> Records = new()
    {
        ["web.shop.svc.cluster.local"] = [IPAddress.Parse("10.214.4.10"), IPAddress.Parse("10.214.4.11")],
        ["v6.shop.svc.cluster.local"] = [IPAddress.Parse("fd00::1")],
    };

    [Fact]
    public void Reply_KnownName_AnswersItsARecordsAuthoritatively_WhateverTheCase()
    {
        // Act
        var reply = DnsWire.Reply(Query(0x1234, "Web.Shop.SVC.cluster.local", 1), Records, "cluster.local")!;

        // Assert
        Id(reply).Should().Be(0x1234);
        Code(reply).Should().Be(0);
        (Flags(reply) & 0x8400).Should().Be(0x8400, "a reply (QR) with authority (AA)");
        Addresses(reply).Should().Equal(IPAddress.Parse("10.214.4.10"), IPAddress.Parse("10.214.4.11"));
    }

    [Theory]
    [InlineData("nope.shop.svc.cluster.local", 1, 3, true)]
    [InlineData("example.com", 1, 3, false)]
    [InlineData("web.shop.svc.cluster.local", 28, 0, true)]
    [InlineData("v6.shop.svc.cluster.local", 1, 0, true)]
    public void Reply_NoRecordOfTheAskedKind_IsNxdomainOrNodata(string name, int type, int code, bool authoritative)
    {
        // Act
        var reply = DnsWire.Reply(Query(7, name, (ushort)type), Records, "cluster.local")!;

        // Assert
        Code(reply).Should().Be(code);
        ((Flags(reply) & 0x0400) != 0).Should().Be(authoritative);
        Addresses(reply).Should().BeEmpty();
    }

    [Fact]
    public void Reply_AaaaForAnIpv6Record_AnswersIt()
    {
        var reply = DnsWire.Reply(Query(7, "v6.shop.svc.cluster.local", 28), Records, "cluster.local")!;
        Addresses(reply).Should().Equal(IPAddress.Parse("fd00::1"));
    }

    [Fact]
    public void Reply_Junk_IsFormErrOrIgnored_NeverAnException()
    {
        var truncated = Query(9, "web.shop.svc.cluster.local", 1)[..20];
        Code(DnsWire.Reply(truncated, Records, "cluster.local")!).Should().Be(1, "FORMERR");
        DnsWire.Reply(new byte[5], Records, "cluster.local").Should().BeNull("too short to hold a header");
        var answer = DnsWire.Reply(Query(9, "web.shop.svc.cluster.local", 1), Records, "cluster.local")!;
        DnsWire.Reply(answer, Records, "cluster.local").Should().BeNull("a reply is never answered");
        var pointer = Query(9, "x", 1);
        pointer[12] = 0xC0;
        Code(DnsWire.Reply(pointer, Records, "cluster.local")!).Should().Be(1, "a compression pointer has no place in a question");
    }

    [Fact]
    public async Task Server_OnLoopback_AnswersAfterJunk_AndSeesANewTable()
    {
        // Arrange
        using var server = DnsServer.Start(IPAddress.Loopback, 0, "cluster.local");
        server.SetRecords(Records);
        using var client = new UdpClient();
        client.Connect(server.EndPoint);

        // Act
        await client.SendAsync(new byte[3]);
        await client.SendAsync(Query(1, "web.shop.svc.cluster.local", 1));
        var first = await ReceiveAsync(client);
        server.SetRecords(new Dictionary<string, IPAddress[]> { ["web.shop.svc.cluster.local."] = [IPAddress.Parse("10.214.4.99")] });
        await client.SendAsync(Query(2, "web.shop.svc.cluster.local", 1));
        var second = await ReceiveAsync(client);

        // Assert
        Addresses(first).Should().HaveCount(2);
        Addresses(second).Should().Equal(IPAddress.Parse("10.214.4.99"));
    }

    private static async Task<byte[]> ReceiveAsync(UdpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return (await client.ReceiveAsync(timeout.Token)).Buffer;
    }

    private static byte[] Query(ushort id, string name, ushort type)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange(new byte[] { 0, (byte)(type >> 8), (byte)type, 0, 1 });
        return [.. bytes];
    }

    private static int Id(byte[] reply) => BinaryPrimitives.ReadUInt16BigEndian(reply);

    private static int Flags(byte[] reply) => BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(2));

    private static int Code(byte[] reply) => Flags(reply) & 0xF;

    /// <summary>The addresses in the answer section (the question is skipped by walking its labels).</summary>
    private static List<IPAddress> Addresses(byte[] reply)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6));
        var at = 12;
        if (BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(4)) == 1)
        {
            while (reply[at] != 0)
            {
                at += reply[at] + 1;
            }

            at += 5;
        }

        var addresses = new List<IPAddress>();
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(at + 10));
            addresses.Add(new IPAddress(reply.AsSpan(at + 12, length)));
            at += 12 + length;
        }

        return addresses;
    }
}

using k8s.Models;

namespace Chaos.Testing.Tests.Targets;

/// <summary>How many targets a selection picks, which ones a seed picks, and what a target sends to the API.</summary>
public sealed class SelectionTests
{
    private static readonly PodChaos Stage = Experiment.On(Pods.In("shop"));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(7, 1)]
    public void CountOf_One_PicksOneUnlessNothingIsEligible(int eligible, int expected) =>
        Stage.One().Selection.CountOf(eligible).Should().Be(expected);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(7, 7)]
    public void CountOf_All_PicksEveryEligibleTarget(int eligible, int expected) =>
        Stage.All().Selection.CountOf(eligible).Should().Be(expected);

    [Theory]
    [InlineData(3, 0, 0)]
    [InlineData(3, 2, 2)]
    [InlineData(3, 3, 3)]
    [InlineData(3, 10, 3)]
    [InlineData(1, 10, 1)]
    public void CountOf_Count_PicksTheCountButNeverMoreThanEligible(int count, int eligible, int expected) =>
        Stage.Count(count).Selection.CountOf(eligible).Should().Be(expected);

    [Theory]
    [InlineData(50, 3, 1)]
    [InlineData(50, 4, 2)]
    [InlineData(50, 5, 2)]
    [InlineData(34, 3, 1)]
    [InlineData(66, 3, 1)]
    [InlineData(67, 3, 2)]
    [InlineData(99, 3, 2)]
    [InlineData(99, 100, 99)]
    [InlineData(100, 7, 7)]
    [InlineData(1, 1000, 10)]
    [InlineData(25, 10, 2)]
    public void CountOf_Percent_RoundsDown(int percent, int eligible, int expected) =>
        Stage.Percent(percent).Selection.CountOf(eligible).Should().Be(expected);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 99)]
    [InlineData(10, 5)]
    [InlineData(49, 2)]
    public void CountOf_PercentBelowOneTarget_PicksAtLeastOne(int percent, int eligible) =>
        Stage.Percent(percent).Selection.CountOf(eligible).Should().Be(1);

    [Fact]
    public void CountOf_PercentOfNothing_PicksNothing() =>
        Stage.Percent(50).Selection.CountOf(0).Should().Be(0);

    [Fact]
    public void Selection_DefaultIsOneWithoutSeed()
    {
        Stage.Selection.Mode.Should().Be(SelectionMode.One);
        Stage.Selection.Seed.Should().BeNull();
        Stage.Selection.ToString().Should().Be("one");
    }

    [Fact]
    public void WithSeed_ThenChangingTheMode_KeepsTheSeed()
    {
        var seeded = Stage.WithSeed(42);

        seeded.One().Selection.Should().Be(new Selection(SelectionMode.One, 1, 42));
        seeded.All().Selection.Should().Be(new Selection(SelectionMode.All, 0, 42));
        seeded.Count(2).Selection.Should().Be(new Selection(SelectionMode.Count, 2, 42));
        seeded.Percent(30).Selection.Should().Be(new Selection(SelectionMode.Percent, 30, 42));
        Stage.Percent(30).WithSeed(42).Selection.Should().Be(new Selection(SelectionMode.Percent, 30, 42));
    }

    [Fact]
    public void Selection_ToString_DescribesTheRounding()
    {
        Stage.Count(3).Selection.ToString().Should().Be("3");
        Stage.All().Selection.ToString().Should().Be("all");
        Stage.Percent(30).Selection.ToString().Should().Be("30% (rounded down, at least one)");
    }

    [Fact]
    public void Pick_SameSeed_PicksTheSamePodsInTheSameOrder()
    {
        var eligible = MakePods(10);

        var first = Planner.Pick(eligible, 4, seed: 1234);
        var second = Planner.Pick(MakePods(10), 4, seed: 1234);

        Names(first).Should().Equal(Names(second));
    }

    [Fact]
    public void Pick_DifferentSeeds_PickDifferentPods()
    {
        var eligible = MakePods(10);

        var picks = Enumerable.Range(1, 20).Select(seed => string.Join(",", Names(Planner.Pick(eligible, 3, seed)))).ToList();

        picks.Distinct().Should().HaveCountGreaterThan(10, "20 seeds over C(10,3) ordered picks should rarely collide");
        Names(Planner.Pick(eligible, 3, 1)).Should().NotEqual(Names(Planner.Pick(eligible, 3, 2)));
    }

    [Fact]
    public void Pick_AnySeed_PicksDistinctEligiblePodsOfTheCount()
    {
        var eligible = MakePods(10);

        foreach (var seed in Enumerable.Range(0, 50))
        {
            var picked = Planner.Pick(eligible, 4, seed);

            picked.Should().HaveCount(4).And.OnlyHaveUniqueItems().And.BeSubsetOf(eligible);
        }
    }

    [Fact]
    public void Pick_CountAboveEligible_PicksAll()
    {
        var eligible = MakePods(3);

        Planner.Pick(eligible, 5, seed: 9).Should().BeEquivalentTo(eligible);
        Planner.Pick(eligible, 0, seed: 9).Should().BeEmpty();
        Planner.Pick<V1Pod>([], 1, seed: 9).Should().BeEmpty();
    }

    [Fact]
    public void Pick_LeavesTheEligibleListUnchanged()
    {
        var eligible = MakePods(6);
        var before = Names(eligible);

        _ = Planner.Pick(eligible, 3, seed: 5);

        Names(eligible).Should().Equal(before);
    }

    [Fact]
    public void Pick_EveryPodIsPickedBySomeSeed()
    {
        var eligible = MakePods(5);

        var everPicked = Enumerable.Range(0, 100).SelectMany(seed => Names(Planner.Pick(eligible, 1, seed))).ToHashSet();

        everPicked.Should().BeEquivalentTo(Names(eligible), "a seeded shuffle reaches every eligible pod");
    }

    [Fact]
    public void LabelSelector_Equality_RendersKeyEqualsValue() =>
        Pods.In("shop").WithLabel("app", "cart").LabelSelector.Should().Be("app=cart");

    [Fact]
    public void LabelSelector_In_RendersSetBasedIn() =>
        Pods.In("shop").WithLabelIn("tier", "web", "api").LabelSelector.Should().Be("tier in (web,api)");

    [Fact]
    public void LabelSelector_NotIn_RendersSetBasedNotIn() =>
        Pods.In("shop").WithLabelNotIn("env", "dev", "test").LabelSelector.Should().Be("env notin (dev,test)");

    [Fact]
    public void LabelSelector_Exists_RendersTheKeyAlone() =>
        Pods.In("shop").WithLabelPresent("team").LabelSelector.Should().Be("team");

    [Fact]
    public void LabelSelector_DoesNotExist_RendersBangKey() =>
        Pods.In("shop").WithoutLabel("canary").LabelSelector.Should().Be("!canary");

    [Fact]
    public void LabelSelector_SeveralRequirements_JoinsThemInOrderWithCommas()
    {
        var target = Pods.In("shop")
            .WithLabel("app.kubernetes.io/name", "cart")
            .WithLabelIn("tier", "web", "api")
            .WithLabelNotIn("env", "dev")
            .WithLabelPresent("team")
            .WithoutLabel("canary");

        target.LabelSelector.Should().Be("app.kubernetes.io/name=cart,tier in (web,api),env notin (dev),team,!canary");
    }

    [Fact]
    public void LabelSelector_NoLabels_IsNull()
    {
        Pods.In("shop").LabelSelector.Should().BeNull();
        Pods.In("shop").FieldSelector.Should().BeNull();
    }

    [Fact]
    public void LabelSelector_Exclusions_AreNotSentToTheApi()
    {
        var target = Pods.In("shop").WithLabel("app", "cart").Excluding("canary", "true");

        target.LabelSelector.Should().Be("app=cart");
        target.IsExcluded(new V1Pod { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["canary"] = "true" } } }).Should().BeTrue();
        target.IsExcluded(new V1Pod { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["canary"] = "false" } } }).Should().BeFalse();
        target.IsExcluded(new V1Pod { Metadata = new V1ObjectMeta() }).Should().BeFalse();
    }

    [Fact]
    public void FieldSelector_SeveralFields_JoinsThemWithCommas() =>
        Pods.In("shop").WithField("spec.nodeName=node-1").WithField("status.phase!=Pending").FieldSelector
            .Should().Be("spec.nodeName=node-1,status.phase!=Pending");

    [Fact]
    public void ToString_DescribesEveryRefinement()
    {
        var target = Pods.In("shop", "web").WithLabel("app", "cart").WithField("spec.nodeName=node-1").Named("cart-1", "cart-2").Excluding("canary", "true");

        target.ToString().Should().Be("pods in shop, web with labels app=cart with fields spec.nodeName=node-1 named cart-1, cart-2 excluding canary=true");
    }

    [Fact]
    public void Refining_ABaseTarget_LeavesTheBaseUnchanged()
    {
        var shop = Pods.In("shop");

        var cart = shop.WithLabel("app", "cart");
        var web = shop.WithLabelIn("tier", "web").WithoutLabel("canary");
        var onNode = shop.WithField("spec.nodeName=node-1").Named("cart-1").Excluding("canary", "true");

        shop.LabelSelector.Should().BeNull();
        shop.FieldSelector.Should().BeNull();
        shop.Names.Should().BeEmpty();
        shop.Exclusions.Should().BeEmpty();
        shop.ToString().Should().Be("pods in shop");
        cart.LabelSelector.Should().Be("app=cart");
        web.LabelSelector.Should().Be("tier in (web),!canary");
        onNode.LabelSelector.Should().BeNull();
        onNode.ToString().Should().Be("pods in shop with fields spec.nodeName=node-1 named cart-1 excluding canary=true");
    }

    [Fact]
    public void Refining_TwiceFromTheSameTarget_GivesIndependentTargets()
    {
        var cart = Pods.In("shop").WithLabel("app", "cart");

        var canary = cart.WithLabel("track", "canary");
        var stable = cart.WithLabel("track", "stable");

        cart.LabelSelector.Should().Be("app=cart");
        canary.LabelSelector.Should().Be("app=cart,track=canary");
        stable.LabelSelector.Should().Be("app=cart,track=stable");
    }

    [Fact]
    public void In_ChangingTheNamespaceArrayAfterwards_DoesNotChangeTheTarget()
    {
        string[] namespaces = ["shop"];
        var target = Pods.In(namespaces);

        namespaces[0] = "kube-system";

        target.ToString().Should().Be("pods in shop");
    }

    [Fact]
    public void Named_ChangingTheNameArrayAfterwards_DoesNotChangeTheTarget()
    {
        string[] names = ["cart-1"];
        var target = Pods.In("shop").Named(names);

        names[0] = "cart-2";

        target.Names.Should().Equal("cart-1");
    }

    [Fact]
    public void WithLabelIn_ChangingTheValueArrayAfterwards_DoesNotChangeTheTarget()
    {
        string[] values = ["web", "api"];
        var target = Pods.In("shop").WithLabelIn("tier", values);

        values[0] = "db";

        target.LabelSelector.Should().Be("tier in (web,api)");
    }

    [Fact]
    public void Stage_ChangingTheSelection_LeavesTheEarlierStageUnchanged()
    {
        var one = Experiment.On(Pods.In("shop"));

        var all = one.All();
        var seeded = one.WithSeed(3);

        one.Selection.Should().Be(Selection.One);
        all.Selection.Mode.Should().Be(SelectionMode.All);
        seeded.Selection.Seed.Should().Be(3);
    }

    private static List<V1Pod> MakePods(int count) =>
        Enumerable.Range(1, count).Select(i => new V1Pod { Metadata = new V1ObjectMeta { Name = $"cart-{i}", NamespaceProperty = "shop" } }).ToList();

    private static List<string> Names(IEnumerable<V1Pod> pods) => pods.Select(p => p.Metadata.Name).ToList();
}

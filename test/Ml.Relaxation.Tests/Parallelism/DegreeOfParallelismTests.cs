using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Tests.Parallelism;

public class DegreeOfParallelismTests
{
    [Fact]
    public void An_override_holds_until_disposed_nests_and_restores_the_setting_before_it()
    {
        int outside = DegreeOfParallelism.Current;
        using (DegreeOfParallelism.Override(3))
        {
            Assert.Equal(3, DegreeOfParallelism.Current);
            using (DegreeOfParallelism.Override(1)) Assert.Equal(1, DegreeOfParallelism.Current);
            Assert.Equal(3, DegreeOfParallelism.Current);
        }
        Assert.Equal(outside, DegreeOfParallelism.Current);
    }

    [Fact]
    public async Task An_override_flows_into_tasks_started_inside_it_but_not_to_other_threads()
    {
        using var scope = DegreeOfParallelism.Override(5);
        Assert.Equal(5, await Task.Run(() => DegreeOfParallelism.Current));
        // A thread started without this flow's context (as the tests of another class run) sees the process default.
        int seen = 0;
        var other = new Thread(() => seen = DegreeOfParallelism.Current);
        using (ExecutionContext.SuppressFlow()) other.Start();
        other.Join();
        Assert.Equal(DegreeOfParallelism.Maximum, seen);
        Assert.Equal(5, DegreeOfParallelism.Current);
    }

    [Fact]
    public void Settings_below_one_are_rejected_and_name_the_setting()
    {
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => DegreeOfParallelism.Override(0)).ParamName);
        Assert.Equal("Maximum", Assert.Throws<ArgumentOutOfRangeException>(() => DegreeOfParallelism.Maximum = 0).ParamName);
        Assert.True(DegreeOfParallelism.Maximum >= 1);
    }
}

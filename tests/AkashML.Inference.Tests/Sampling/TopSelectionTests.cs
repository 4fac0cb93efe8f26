using AkashML.Inference.Generation.Sampling;

namespace AkashML.Inference.Tests.Sampling;

public sealed class TopSelectionTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(1000, 1)]
    [InlineData(1000, 20)]
    [InlineData(1003, 1003)]
    [InlineData(32000, 64)]
    [InlineData(32001, 5000)]
    public void Selects_the_same_entries_as_a_full_sort(int size, int count)
    {
        var random = new Random(size + count);
        // Few distinct values, so ties are common and the lower index must win them.
        var values = Enumerable.Range(0, size).Select(_ => (float)random.Next(0, 50)).ToArray();
        values[random.Next(size)] = float.NegativeInfinity;
        var expected = values
            .Select((value, index) => (value, index))
            .Where(p => !float.IsNegativeInfinity(p.value))
            .OrderByDescending(p => p.value)
            .ThenBy(p => p.index)
            .Take(count)
            .ToArray();

        var ids = new int[count];
        var keys = new float[count];
        var found = TopSelection.SelectLargest(values, ids, keys);

        Assert.Equal(expected.Length, found);
        Assert.Equal(expected.Select(p => p.index), ids.Take(found));
        Assert.Equal(expected.Select(p => p.value), keys.Take(found));
    }

    [Fact]
    public void Never_selects_negative_infinity()
    {
        float[] values = [float.NegativeInfinity, 2f, float.NegativeInfinity, 1f];
        var ids = new int[4];
        var keys = new float[4];

        Assert.Equal(2, TopSelection.SelectLargest(values, ids, keys));
        Assert.Equal([1, 3], ids[..2]);
    }
}

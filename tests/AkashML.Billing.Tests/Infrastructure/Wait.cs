namespace AkashML.Billing.Tests.Infrastructure;

public static class Wait
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails after <paramref name="seconds"/> (bounded).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {seconds}s waiting for: {what}");
            }

            await Task.Delay(25);
        }
    }
}

namespace AkashML.Web.Shell;

/// <summary>
/// Runs one piece of work on <typeparamref name="TService"/> resolved in a scope of its own. A circuit keeps one DI
/// scope for hours and its components run queries at the same time (a grid's periodic re-read while a dialog saves),
/// but a <c>DbContext</c> allows one operation at a time and would keep tracking stale rows: services built on one get
/// a fresh scope per call instead.
/// </summary>
public sealed class FreshScope<TService>(IServiceScopeFactory scopes)
    where TService : notnull
{
    public async Task<TResult> RunAsync<TResult>(Func<TService, Task<TResult>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }
}

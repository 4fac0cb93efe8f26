namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>Hosts whose GitHub and Google sign-in point at fake providers on 127.0.0.1 started with the fixture.</summary>
public sealed class ExternalProvidersHostPool : HostPool
{
    public FakeOAuthProvider GitHub { get; private set; } = default!;

    public FakeOAuthProvider Google { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        GitHub = await FakeOAuthProvider.StartAsync(OAuthShape.GitHub);
        Google = await FakeOAuthProvider.StartAsync(OAuthShape.Google);
    }

    protected override IReadOnlyDictionary<string, string?> Settings =>
        GitHub.Settings("GitHub").Concat(Google.Settings("Google")).ToDictionary(kv => kv.Key, kv => kv.Value);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await GitHub.DisposeAsync();
        await Google.DisposeAsync();
    }
}

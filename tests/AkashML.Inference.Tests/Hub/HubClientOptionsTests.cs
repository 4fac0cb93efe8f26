using AkashML.Inference.Catalog.Hub;

namespace AkashML.Inference.Tests.Hub;

[Collection(EnvironmentCollection.Name)]
public sealed class HubClientOptionsTests
{
    [Fact]
    public void Reads_HF_ENDPOINT_and_HF_TOKEN_from_the_environment()
    {
        using var endpoint = new EnvironmentVariable("HF_ENDPOINT", "http://127.0.0.1:9/mirror");
        using var token = new EnvironmentVariable("HF_TOKEN", " hf_abc ");
        var options = HubClientOptions.FromEnvironment();
        Assert.Equal(new Uri("http://127.0.0.1:9/mirror"), options.Endpoint);
        Assert.Equal("hf_abc", options.Token);
    }

    [Fact]
    public void Defaults_to_huggingface_co_without_a_token()
    {
        using var endpoint = new EnvironmentVariable("HF_ENDPOINT", null);
        using var token = new EnvironmentVariable("HF_TOKEN", "");
        var options = HubClientOptions.FromEnvironment();
        Assert.Equal(new Uri("https://huggingface.co"), options.Endpoint);
        Assert.Null(options.Token);
    }

    [Theory]
    [InlineData("huggingface.co")]
    [InlineData("ftp://example.org")]
    public void Rejects_an_HF_ENDPOINT_that_is_not_an_http_url(string value)
    {
        using var endpoint = new EnvironmentVariable("HF_ENDPOINT", value);
        var error = Assert.Throws<HubException>(HubClientOptions.FromEnvironment);
        Assert.Contains("HF_ENDPOINT", error.Message, StringComparison.Ordinal);
    }

    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string _name;
        private readonly string? _previous;

        public EnvironmentVariable(string name, string? value)
        {
            _name = name;
            _previous = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
    }
}

/// <summary>Tests that change process environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Process environment";
}

using AkashML.Web.Api.Anthropic;
using AkashML.Web.Api.Metering;
using AkashML.Web.Api.OpenAi;
using AkashML.Web.Api.Tokenization;
using AkashML.Web.Usage;

namespace AkashML.Web.Api;

/// <summary>
/// Maps the public APIs; each group gets its policy once, outermost first: Inference-Id + errors + usage, then key
/// auth, then the key's limits.
/// </summary>
public static class ApiRegistration
{
    public static IServiceCollection AddPublicApis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<UsageWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<UsageWriter>());
        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<CreditMetering>();
        return services;
    }

    public static IEndpointRouteBuilder MapPublicApis(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/v1").WithApiDefaults(ApiSurface.OpenAi).WithTags("OpenAI")
            .MapOpenAiModelsApi()
            .MapCompletionsApi()
            .MapChatCompletionsApi();

        endpoints.MapAnthropicProbes();
        endpoints.MapGroup("/anthropic/v1").WithApiDefaults(ApiSurface.Anthropic).WithTags("Anthropic")
            .MapAnthropicModelsApi()
            .MapMessagesApi();

        endpoints.MapGroup("").WithApiDefaults(ApiSurface.OpenAi).WithTags("Tokenizer")
            .MapTokenizationApi();
        return endpoints;
    }

    /// <summary>The public APIs: key authentication; no antiforgery (no cookies are involved).</summary>
    private static RouteGroupBuilder WithApiDefaults(this RouteGroupBuilder group, ApiSurface surface)
    {
        group.WithApiPipeline<ApiKeyFilter>(surface);
        group.DisableAntiforgery();
        return group;
    }

    /// <summary>
    /// The pipeline every API route shares, whoever the caller: Inference-Id + errors + usage outermost, then the
    /// caller's authentication (<typeparamref name="TAuthentication"/> sets <see cref="ApiCall.Key"/>), then the key's
    /// limits. The in-process callers (the playground) get the same steps from <see cref="Gateway.InferenceGateway"/>.
    /// </summary>
    public static RouteGroupBuilder WithApiPipeline<TAuthentication>(this RouteGroupBuilder group, ApiSurface surface)
        where TAuthentication : IEndpointFilter
    {
        ArgumentNullException.ThrowIfNull(group);
        group.AddEndpointFilterFactory((context, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<ApiCallFilter>(context.ApplicationServices, surface);
            return invocation => filter.InvokeAsync(invocation, next);
        });
        group.AddEndpointFilter<TAuthentication>();
        group.AddEndpointFilter<KeyLimitsFilter>();
        return group;
    }
}

using AkashML.Web.Api.Anthropic;
using AkashML.Web.Api.Metering;
using AkashML.Web.Api.OpenAi;
using AkashML.Web.Api.Tokenization;
using AkashML.Web.Api.Usage;

namespace AkashML.Web.Api;

/// <summary>Maps the public APIs; each group gets its policy once, outermost first: Inference-Id + errors + usage, then key auth.</summary>
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

    private static RouteGroupBuilder WithApiDefaults(this RouteGroupBuilder group, ApiSurface surface)
    {
        group.AddEndpointFilterFactory((context, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<ApiCallFilter>(context.ApplicationServices, surface);
            return invocation => filter.InvokeAsync(invocation, next);
        });
        group.AddEndpointFilter<ApiKeyFilter>();
        group.DisableAntiforgery();
        return group;
    }
}

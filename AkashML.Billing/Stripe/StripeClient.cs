using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AkashML.Billing.Stripe;

/// <summary>
/// Stripe's REST API over <see cref="HttpClient"/>: form-encoded POSTs, each with an <c>Idempotency-Key</c> so a
/// retried call never creates a second object or a second charge.
/// </summary>
public sealed class StripeClient(HttpClient http, IOptions<BillingOptions> options)
{
    private StripeOptions Stripe => options.Value.Stripe;

    public async Task<string> CreateCustomerAsync(string userId, string? email, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("metadata[akashml_user_id]", userId) };
        if (!string.IsNullOrEmpty(email))
        {
            form.Add(new("email", email));
        }

        var customer = await PostAsync("v1/customers", form, "akashml-customer-" + userId, cancellationToken);
        return RequiredString(customer, "id");
    }

    /// <summary>Creates a Checkout Session; <paramref name="form"/> carries the mode-specific fields.</summary>
    public async Task<StripeCheckoutSession> CreateCheckoutSessionAsync(IReadOnlyList<KeyValuePair<string, string>> form, string idempotencyKey, CancellationToken cancellationToken)
    {
        var session = await PostAsync("v1/checkout/sessions", form, idempotencyKey, cancellationToken);
        return new StripeCheckoutSession(RequiredString(session, "id"), OptionalString(session, "url"));
    }

    /// <summary>Charges a saved payment method without the customer present (off-session) and confirms at once.</summary>
    public async Task<StripePaymentIntent> CreateOffSessionPaymentIntentAsync(string customerId, string paymentMethodId, long amountCents, string currency,
        IReadOnlyDictionary<string, string> metadata, string description, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var form = new List<KeyValuePair<string, string>>
        {
            new("amount", amountCents.ToString(CultureInfo.InvariantCulture)),
            new("currency", currency),
            new("customer", customerId),
            new("payment_method", paymentMethodId),
            new("off_session", "true"),
            new("confirm", "true"),
            new("description", description),
        };
        form.AddRange(metadata.Select(m => new KeyValuePair<string, string>($"metadata[{m.Key}]", m.Value)));
        var intent = await PostAsync("v1/payment_intents", form, idempotencyKey, cancellationToken);
        return ReadPaymentIntent(intent);
    }

    /// <summary>The card a SetupIntent saved.</summary>
    public async Task<StripeCard> GetSetupIntentCardAsync(string setupIntentId, CancellationToken cancellationToken)
    {
        var intent = await GetAsync($"v1/setup_intents/{Uri.EscapeDataString(setupIntentId)}?expand[]=payment_method", cancellationToken);
        return intent.TryGetProperty("payment_method", out var method) ? ReadCard(method)
            : throw new StripeException(200, "api_error", null, null, $"SetupIntent {setupIntentId} has no payment method.");
    }

    public static StripePaymentIntent ReadPaymentIntent(JsonElement intent) => new(
        RequiredString(intent, "id"),
        OptionalString(intent, "status") ?? "",
        intent.TryGetProperty("amount_received", out var received) && received.ValueKind == JsonValueKind.Number ? received.GetInt64() : 0,
        IdOf(intent, "payment_method"));

    /// <summary>Reads a payment method object (or just its id when it was not expanded).</summary>
    public static StripeCard ReadCard(JsonElement method)
    {
        if (method.ValueKind == JsonValueKind.String)
        {
            return new StripeCard(method.GetString()!, null, null, null);
        }

        var card = method.TryGetProperty("card", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        return new StripeCard(
            RequiredString(method, "id"),
            card.ValueKind == JsonValueKind.Object ? OptionalString(card, "fingerprint") : null,
            card.ValueKind == JsonValueKind.Object ? OptionalString(card, "brand") : null,
            card.ValueKind == JsonValueKind.Object ? OptionalString(card, "last4") : null);
    }

    /// <summary>The id of an expandable field: a plain id string, or the <c>id</c> of the expanded object.</summary>
    public static string? IdOf(JsonElement parent, string property) =>
        !parent.TryGetProperty(property, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Object ? OptionalString(value, "id")
        : null;

    public static string? OptionalString(JsonElement parent, string property) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string RequiredString(JsonElement parent, string property) =>
        OptionalString(parent, property) ?? throw new StripeException(200, "api_error", null, null, $"Stripe's answer has no '{property}'.");

    public async Task<JsonElement> PostAsync(string path, IReadOnlyList<KeyValuePair<string, string>> form, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, Resolve(path)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await SendAsync(request, cancellationToken);
    }

    public async Task<JsonElement> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Resolve(pathAndQuery));
        return await SendAsync(request, cancellationToken);
    }

    private Uri Resolve(string path) => new(new Uri(Stripe.BaseUrl.TrimEnd('/') + "/"), path);

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!Stripe.Enabled)
        {
            throw new StripeException(0, "configuration_error", null, null, "Stripe is not configured (Billing:Stripe:SecretKey is empty).");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Stripe.SecretKey);
        if (!string.IsNullOrWhiteSpace(Stripe.ApiVersion))
        {
            request.Headers.Add("Stripe-Version", Stripe.ApiVersion);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new StripeException(0, "api_connection_error", null, null, "Stripe could not be reached: " + ex.Message, inner: ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StripeException(0, "api_connection_error", null, null, "Stripe did not answer in time.", inner: ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement json;
            try
            {
                using var document = JsonDocument.Parse(body);
                json = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new StripeException((int)response.StatusCode, "api_error", null, null, $"Stripe answered {(int)response.StatusCode} with a body that is not JSON.", inner: ex);
            }

            if (response.IsSuccessStatusCode)
            {
                return json;
            }

            var error = json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
            var isError = error.ValueKind == JsonValueKind.Object;
            throw new StripeException(
                (int)response.StatusCode,
                isError ? OptionalString(error, "type") : null,
                isError ? OptionalString(error, "code") : null,
                isError ? OptionalString(error, "decline_code") : null,
                (isError ? OptionalString(error, "message") : null) ?? $"Stripe answered {(int)response.StatusCode}.",
                isError ? IdOf(error, "payment_intent") : null);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AkashML.Billing.Tests.Infrastructure;

/// <summary>A card as the fake knows it: the fingerprint identifies the card number; some cards are declined.</summary>
public sealed record TestCard(string Fingerprint, bool Declines = false, string Brand = "visa", string Last4 = "4242");

/// <summary>One request the fake received.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Form, string? IdempotencyKey, string? Authorization);

/// <summary>
/// A Stripe-shaped HTTP server on 127.0.0.1: accepts the form-encoded calls AkashML makes (customers, Checkout
/// Sessions, PaymentIntents, SetupIntents), records them, honours Idempotency-Key, returns objects shaped like
/// Stripe's, and sends signed webhook events to the host, as Stripe does after a customer pays. It also serves a
/// plain HTML Checkout page at each session's <c>url</c> whose "Pay" button completes the session (events included)
/// and returns to the session's success URL, so browser tests can pay the way a person does.
/// </summary>
/// <remarks>Shared source: linked into the web integration tests and the e2e tests, which start a real host.</remarks>
public sealed class FakeStripe : IAsyncDisposable
{
    /// <summary>The secret key the fake accepts (configure the host's <c>Billing:Stripe:SecretKey</c> with it).</summary>
    public const string TestSecretKey = "sk_test_akashml";

    /// <summary>The default signing secret of the events it sends (the host's <c>Billing:Stripe:WebhookSecret</c>).</summary>
    public const string TestWebhookSecret = "whsec_akashml_test";

    private readonly WebApplication _app;
    private readonly HttpClient _webhooks = new();
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new();
    private readonly ConcurrentDictionary<string, TestCard> _cards = new();
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _idempotent = new();
    private readonly ConcurrentBag<Task> _pendingWebhooks = [];
    private readonly object _sync = new();
    private int _sequence;

    private FakeStripe(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Where events go (the host's <c>/stripe/webhook</c>).</summary>
    public string WebhookUrl { get; set; } = "";

    public string WebhookSecret { get; set; } = TestWebhookSecret;

    /// <summary>What delivers events; by default real HTTP to <see cref="WebhookUrl"/> (a test server's handler also works).</summary>
    public HttpMessageInvoker? WebhookClient { get; set; }

    /// <summary>The clock signatures are dated by (the host's, so its tolerance check agrees).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The API version on the events sent; by default Stripe.net's own, as on an endpoint created for it.</summary>
    public string ApiVersion { get; set; } = global::Stripe.StripeConfiguration.ApiVersion;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Every event sent, with the status the host answered.</summary>
    public ConcurrentQueue<(string Type, string Id, int Status)> Deliveries { get; } = new();

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeStripe(app);
        app.Use(async (context, next) =>
        {
            // The Checkout page is for the customer's browser, which carries no API key.
            if (context.Request.Path.StartsWithSegments("/c/pay"))
            {
                await next(context);
                return;
            }

            if (context.Request.Headers.Authorization != "Bearer " + TestSecretKey)
            {
                await WriteError(context, 401, "invalid_request_error", null, "Invalid API Key provided.");
                return;
            }

            await next(context);
        });
        app.MapPost("/v1/customers", context => fake.Handle(context, form => fake.CreateCustomer(form)));
        app.MapPost("/v1/checkout/sessions", context => fake.Handle(context, form => fake.CreateSession(form)));
        app.MapPost("/v1/payment_intents", context => fake.Handle(context, form => fake.CreatePaymentIntent(form)));
        app.MapGet("/v1/setup_intents/{id}", context => fake.Handle(context, _ => fake.GetSetupIntent(context)));
        app.MapGet("/c/pay/{id}", fake.ShowCheckoutPage);
        app.MapPost("/c/pay/{id}", fake.PayOnCheckoutPage);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    public IReadOnlyList<RecordedRequest> RequestsTo(string path) => Requests.Where(r => r.Path == path).ToList();

    public JsonObject Object(string id) => _objects[id];

    /// <summary>A Checkout Session as its events carry it (without the fields only the creating call sets).</summary>
    public JsonObject SessionView(string sessionId) => PublicView(_objects[sessionId]);

    /// <summary>
    /// The customer pays (payment mode) or saves a card (setup mode) on the Checkout page; Stripe then sends
    /// checkout.session.completed and, for a payment, payment_intent.succeeded (in the order asked).
    /// </summary>
    public async Task<CompletedCheckout> CompleteCheckoutAsync(string sessionId, TestCard card, bool paymentIntentEventFirst = false, bool sendEvents = true)
    {
        var session = _objects[sessionId];
        var customer = (string)session["customer"]!;
        var method = CreatePaymentMethod(customer, card);
        if ((string)session["mode"]! == "setup")
        {
            var setupIntent = Add("seti", new JsonObject
            {
                ["object"] = "setup_intent",
                ["status"] = "succeeded",
                ["customer"] = customer,
                ["payment_method"] = (string)method["id"]!,
                ["usage"] = "off_session",
                ["metadata"] = session["setup_intent_metadata"]?.DeepClone() ?? new JsonObject(),
            });
            lock (_sync)
            {
                session["status"] = "complete";
                session["setup_intent"] = (string)setupIntent["id"]!;
            }

            if (sendEvents)
            {
                await SendEventAsync("checkout.session.completed", PublicView(session));
            }

            return new CompletedCheckout(null, null, (string)method["id"]!);
        }

        var amount = (long)session["amount_total"]!;
        var intent = Add("pi", PaymentIntentObject(amount, customer, (string)method["id"]!, session["payment_intent_metadata"]?.DeepClone() as JsonObject ?? [], "succeeded"));
        var charge = AddCharge(intent);
        lock (_sync)
        {
            session["status"] = "complete";
            session["payment_status"] = "paid";
            session["payment_intent"] = (string)intent["id"]!;
        }

        if (sendEvents)
        {
            if (paymentIntentEventFirst)
            {
                await SendEventAsync("payment_intent.succeeded", intent);
                await SendEventAsync("checkout.session.completed", PublicView(session));
            }
            else
            {
                await SendEventAsync("checkout.session.completed", PublicView(session));
                await SendEventAsync("payment_intent.succeeded", intent);
            }
        }

        return new CompletedCheckout((string)intent["id"]!, (string)charge["id"]!, (string)method["id"]!);
    }

    /// <summary>Refunds part of a charge; Stripe reports the cumulative amount_refunded in charge.refunded.</summary>
    public JsonObject Refund(string chargeId, long cents)
    {
        var charge = _objects[chargeId];
        lock (_sync)
        {
            var refunded = (long)charge["amount_refunded"]! + cents;
            charge["amount_refunded"] = refunded;
            charge["refunded"] = refunded >= (long)charge["amount"]!;
            return charge.DeepClone().AsObject();
        }
    }

    /// <summary>A dispute of the whole charge, as Stripe's charge.dispute.* events carry it.</summary>
    public JsonObject Dispute(string chargeId)
    {
        var charge = _objects[chargeId];
        lock (_sync)
        {
            return new JsonObject
            {
                ["id"] = NewId("dp"),
                ["object"] = "dispute",
                ["amount"] = (long)charge["amount"]!,
                ["currency"] = "usd",
                ["charge"] = chargeId,
                ["payment_intent"] = charge["payment_intent"]?.DeepClone(),
                ["reason"] = "fraudulent",
                ["status"] = "needs_response",
            };
        }
    }

    /// <summary>Sends an event signed with <see cref="WebhookSecret"/> (or what the test asks for); returns the host's status.</summary>
    public async Task<int> SendEventAsync(string type, JsonObject dataObject, string? eventId = null, string? secret = null, DateTimeOffset? signedAt = null)
    {
        var id = eventId ?? NewId("evt");
        var body = new JsonObject
        {
            ["id"] = id,
            ["object"] = "event",
            // Stripe.net refuses events of another API version than its own, as a webhook endpoint pinned to it sends.
            ["api_version"] = ApiVersion,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["type"] = type,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["data"] = new JsonObject { ["object"] = dataObject.DeepClone() },
        }.ToJsonString();
        var status = await PostSignedAsync(body, secret ?? WebhookSecret, signedAt ?? Clock.GetUtcNow());
        Deliveries.Enqueue((type, id, status));
        return status;
    }

    /// <summary>Posts any body with a signature computed over it (or the header given).</summary>
    public async Task<int> PostSignedAsync(string body, string secret, DateTimeOffset signedAt, string? headerOverride = null)
    {
        var timestamp = signedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", headerOverride ?? $"t={timestamp},v1={signature}");
        using var response = await (WebhookClient ?? _webhooks).SendAsync(request, CancellationToken.None);
        return (int)response.StatusCode;
    }

    /// <summary>Waits for the events Stripe sends on its own after answering a call (off-session payments).</summary>
    public async Task DrainWebhooksAsync()
    {
        while (_pendingWebhooks.TryTake(out var task))
        {
            await task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _webhooks.Dispose();
    }

    /// <summary>The card the Checkout page pays with; by default one per customer, so each account may get a trial.</summary>
    public Func<string, TestCard> CheckoutPageCard { get; set; } = customer => new TestCard("fp_page_" + customer);

    private async Task ShowCheckoutPage(HttpContext context)
    {
        if (!_objects.TryGetValue((string)context.Request.RouteValues["id"]!, out var session) || (string?)session["object"] != "checkout.session")
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("No such checkout session.");
            return;
        }

        string mode, status, cancelUrl;
        long? amount;
        lock (_sync)
        {
            mode = (string)session["mode"]!;
            status = (string)session["status"]!;
            cancelUrl = (string?)session["cancel_url"] ?? "";
            amount = (long?)session["amount_total"];
        }

        var what = mode == "payment"
            ? "Pay " + (amount!.Value / 100m).ToString("0.00", CultureInfo.InvariantCulture) + " USD"
            : "Save your card (no charge)";
        var body = status != "open"
            ? "<p>This checkout session is already complete.</p>"
            : $"""
              <form method="post">
                <label for="card">Card number</label>
                <input id="card" name="card" value="4242 4242 4242 4242" autocomplete="off">
                <button type="submit" id="pay">{(mode == "payment" ? "Pay" : "Save card")}</button>
              </form>
              <p><a id="cancel" href="{WebUtility.HtmlEncode(cancelUrl)}">Cancel and go back</a></p>
              """;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Checkout (test)</title>
            <style>body{font-family:sans-serif;max-width:420px;margin:60px auto;color:#1a1f36}
            h1{font-size:22px}input{display:block;width:100%;padding:8px;margin:6px 0 16px;font-size:16px}
            button{width:100%;padding:12px;background:#635bff;color:#fff;border:0;border-radius:6px;font-size:16px}
            .test{background:#ffde92;padding:2px 6px;border-radius:4px;font-size:12px}</style></head>
            <body><p class="test">TEST MODE</p><h1>{{WebUtility.HtmlEncode(what)}}</h1>{{body}}</body></html>
            """);
    }

    private async Task PayOnCheckoutPage(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!_objects.TryGetValue(id, out var session) || (string?)session["object"] != "checkout.session")
        {
            context.Response.StatusCode = 404;
            return;
        }

        string customer, successUrl;
        bool open;
        lock (_sync)
        {
            customer = (string)session["customer"]!;
            successUrl = (string)session["success_url"]!;
            open = (string)session["status"]! == "open";
        }

        if (open)
        {
            // Stripe delivers the events before (or around) the redirect; the fake waits for the host's answers.
            await CompleteCheckoutAsync(id, CheckoutPageCard(customer));
        }

        context.Response.Redirect(successUrl.Replace("{CHECKOUT_SESSION_ID}", id, StringComparison.Ordinal));
    }

    private async Task Handle(HttpContext context, Func<IReadOnlyDictionary<string, string>, (int Status, JsonObject Body)> create)
    {
        var form = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var key = context.Request.Headers["Idempotency-Key"].FirstOrDefault();
        Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", form, key, context.Request.Headers.Authorization.FirstOrDefault()));
        (int Status, string Body) response;
        if (context.Request.Method == "POST" && key is not null && _idempotent.TryGetValue(context.Request.Path + "|" + key, out var earlier))
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
            response = earlier;
        }
        else
        {
            var (status, body) = create(form);
            response = (status, body.ToJsonString());
            if (context.Request.Method == "POST" && key is not null)
            {
                _idempotent[context.Request.Path + "|" + key] = response;
            }
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.Body);
    }

    private (int, JsonObject) CreateCustomer(IReadOnlyDictionary<string, string> form) =>
        (200, Add("cus", new JsonObject
        {
            ["object"] = "customer",
            ["email"] = form.GetValueOrDefault("email"),
            ["metadata"] = Nested(form, "metadata"),
            ["invoice_settings"] = new JsonObject { ["default_payment_method"] = null },
        }));

    private (int, JsonObject) CreateSession(IReadOnlyDictionary<string, string> form)
    {
        var mode = form.GetValueOrDefault("mode");
        if (mode is not ("payment" or "setup"))
        {
            return ErrorBody(400, "invalid_request_error", "parameter_missing", "Missing required param: mode.", "mode");
        }

        foreach (var required in new[] { "success_url", "customer" })
        {
            if (string.IsNullOrEmpty(form.GetValueOrDefault(required)))
            {
                return ErrorBody(400, "invalid_request_error", "parameter_missing", $"Missing required param: {required}.", required);
            }
        }

        if (!_objects.ContainsKey(form["customer"]))
        {
            return ErrorBody(400, "invalid_request_error", "resource_missing", $"No such customer: '{form["customer"]}'", "customer");
        }

        long? amount = null;
        if (mode == "payment")
        {
            if (!long.TryParse(form.GetValueOrDefault("line_items[0][price_data][unit_amount]"), NumberStyles.None, CultureInfo.InvariantCulture, out var unit) || unit < 50
                || form.GetValueOrDefault("line_items[0][price_data][currency]") != "usd"
                || form.GetValueOrDefault("line_items[0][quantity]") != "1")
            {
                return ErrorBody(400, "invalid_request_error", "parameter_invalid_integer", "Invalid line_items[0]: unit_amount must be at least 50 cents in usd.", "line_items");
            }

            amount = unit;
        }
        else if (form.GetValueOrDefault("currency") is not "usd")
        {
            return ErrorBody(400, "invalid_request_error", "parameter_missing", "Missing required param: currency.", "currency");
        }

        var session = Add("cs_test", new JsonObject
        {
            ["object"] = "checkout.session",
            ["mode"] = mode,
            ["status"] = "open",
            ["payment_status"] = mode == "payment" ? "unpaid" : "no_payment_required",
            ["customer"] = form["customer"],
            ["client_reference_id"] = form.GetValueOrDefault("client_reference_id"),
            ["amount_total"] = amount,
            ["currency"] = "usd",
            ["success_url"] = form["success_url"],
            ["cancel_url"] = form.GetValueOrDefault("cancel_url"),
            ["metadata"] = Nested(form, "metadata"),
            ["payment_intent"] = null,
            ["setup_intent"] = null,
            ["livemode"] = false,
            ["payment_intent_metadata"] = Nested(form, "payment_intent_data[metadata]"),
            ["setup_intent_metadata"] = Nested(form, "setup_intent_data[metadata]"),
            ["setup_future_usage"] = form.GetValueOrDefault("payment_intent_data[setup_future_usage]"),
        });
        session["url"] = $"{BaseUrl}/c/pay/{(string)session["id"]!}";
        return (200, PublicView(session));
    }

    private (int, JsonObject) CreatePaymentIntent(IReadOnlyDictionary<string, string> form)
    {
        if (!long.TryParse(form.GetValueOrDefault("amount"), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 50)
        {
            return ErrorBody(400, "invalid_request_error", "amount_too_small", "Amount must be at least $0.50 usd", "amount");
        }

        var customer = form.GetValueOrDefault("customer");
        var methodId = form.GetValueOrDefault("payment_method");
        if (customer is null || methodId is null || !_objects.TryGetValue(methodId, out var method) || (string?)method["customer"] != customer)
        {
            return ErrorBody(400, "invalid_request_error", "resource_missing", $"No such PaymentMethod: '{methodId}'", "payment_method");
        }

        if (form.GetValueOrDefault("confirm") != "true" || form.GetValueOrDefault("off_session") != "true")
        {
            return ErrorBody(400, "invalid_request_error", "parameter_invalid", "This fake only confirms off-session PaymentIntents.", "confirm");
        }

        var card = _cards[methodId];
        var metadata = Nested(form, "metadata");
        if (card.Declines)
        {
            var failed = Add("pi", PaymentIntentObject(amount, customer, methodId, metadata, "requires_payment_method"));
            var error = new JsonObject
            {
                ["type"] = "card_error",
                ["code"] = "card_declined",
                ["decline_code"] = "insufficient_funds",
                ["message"] = "Your card has insufficient funds.",
                ["payment_method"] = new JsonObject { ["id"] = methodId },
            };
            failed["last_payment_error"] = error.DeepClone();
            error["payment_intent"] = failed.DeepClone();
            Later("payment_intent.payment_failed", failed);
            return (402, new JsonObject { ["error"] = error });
        }

        var intent = Add("pi", PaymentIntentObject(amount, customer, methodId, metadata, "succeeded"));
        AddCharge(intent);
        Later("payment_intent.succeeded", intent);
        return (200, intent);
    }

    private (int, JsonObject) GetSetupIntent(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!_objects.TryGetValue(id, out var intent))
        {
            return ErrorBody(404, "invalid_request_error", "resource_missing", $"No such setupintent: '{id}'", "id");
        }

        var view = intent.DeepClone().AsObject();
        // Stripe.net writes lists with indexes (expand[0]=…); curl users write expand[]=….
        if (context.Request.Query.Any(q => q.Key.StartsWith("expand[", StringComparison.Ordinal) && q.Value.Contains("payment_method")))
        {
            view["payment_method"] = _objects[(string)intent["payment_method"]!].DeepClone();
        }

        return (200, view);
    }

    private JsonObject CreatePaymentMethod(string customer, TestCard card)
    {
        var method = Add("pm", new JsonObject
        {
            ["object"] = "payment_method",
            ["type"] = "card",
            ["customer"] = customer,
            ["card"] = new JsonObject
            {
                ["brand"] = card.Brand,
                ["last4"] = card.Last4,
                ["fingerprint"] = card.Fingerprint,
                ["exp_month"] = 12,
                ["exp_year"] = 2030,
                ["funding"] = "credit",
            },
        });
        _cards[(string)method["id"]!] = card;
        return method;
    }

    private static JsonObject PaymentIntentObject(long amount, string customer, string methodId, JsonObject metadata, string status) => new()
    {
        ["object"] = "payment_intent",
        ["amount"] = amount,
        ["amount_received"] = status == "succeeded" ? amount : 0,
        ["currency"] = "usd",
        ["customer"] = customer,
        ["payment_method"] = methodId,
        ["status"] = status,
        ["metadata"] = metadata,
        ["last_payment_error"] = null,
        ["livemode"] = false,
    };

    private JsonObject AddCharge(JsonObject intent)
    {
        var charge = Add("ch", new JsonObject
        {
            ["object"] = "charge",
            ["amount"] = (long)intent["amount"]!,
            ["amount_captured"] = (long)intent["amount"]!,
            ["amount_refunded"] = 0L,
            ["refunded"] = false,
            ["currency"] = "usd",
            ["customer"] = (string)intent["customer"]!,
            ["payment_intent"] = (string)intent["id"]!,
            ["payment_method"] = (string)intent["payment_method"]!,
            ["paid"] = true,
            ["status"] = "succeeded",
            ["metadata"] = new JsonObject(),
        });
        intent["latest_charge"] = (string)charge["id"]!;
        return charge;
    }

    /// <summary>Stripe sends events after answering; so does the fake, a little later.</summary>
    private void Later(string type, JsonObject obj)
    {
        var snapshot = obj.DeepClone().AsObject();
        _pendingWebhooks.Add(Task.Run(async () =>
        {
            await Task.Delay(20);
            await SendEventAsync(type, snapshot);
        }));
    }

    private JsonObject Add(string prefix, JsonObject obj)
    {
        var id = NewId(prefix);
        obj["id"] = id;
        obj["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _objects[id] = obj;
        return obj;
    }

    private string NewId(string prefix) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Interlocked.Increment(ref _sequence):D6}{Guid.NewGuid().ToString("N")[..16]}");

    /// <summary>The session as Stripe shows it (our bookkeeping fields removed).</summary>
    private JsonObject PublicView(JsonObject session)
    {
        lock (_sync)
        {
            var view = session.DeepClone().AsObject();
            view.Remove("payment_intent_metadata");
            view.Remove("setup_intent_metadata");
            view.Remove("setup_future_usage");
            return view;
        }
    }

    /// <summary>Stripe's bracket notation: <c>metadata[key]=value</c> becomes <c>{"key": "value"}</c>.</summary>
    private static JsonObject Nested(IReadOnlyDictionary<string, string> form, string prefix)
    {
        var result = new JsonObject();
        foreach (var (key, value) in form)
        {
            if (key.StartsWith(prefix + "[", StringComparison.Ordinal) && key.EndsWith(']') && key.IndexOf('[', prefix.Length + 1) < 0)
            {
                result[key[(prefix.Length + 1)..^1]] = value;
            }
        }

        return result;
    }

    private static (int, JsonObject) ErrorBody(int status, string type, string? code, string message, string? param) =>
        (status, new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message, ["param"] = param } });

    private static async Task WriteError(HttpContext context, int status, string type, string? code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ErrorBody(status, type, code, message, null).Item2.ToJsonString());
    }
}

/// <param name="PaymentIntentId">The PaymentIntent (payment mode).</param>
/// <param name="ChargeId">Its charge (payment mode).</param>
public sealed record CompletedCheckout(string? PaymentIntentId, string? ChargeId, string PaymentMethodId);

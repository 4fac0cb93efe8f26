using System.Globalization;
using AkashML.Data.Identity;
using AkashML.Data.Keys;
using AkashML.Web.Components.Account;
using AkashML.Web.Keys;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>
/// The API keys page. A new or rolled secret exists only in the response to the POST that made it: it is never stored,
/// never put in a URL, and the response is marked no-store.
/// </summary>
public sealed partial class ApiKeysPage
{
    private static readonly int[] GraceChoices = [0, 1, 4, 12, 24];

    private readonly Dictionary<string, string> _createErrors = [];
    private readonly Dictionary<string, string> _renameErrors = [];
    private readonly Dictionary<string, string> _limitErrors = [];
    private readonly Dictionary<string, string> _rollErrors = [];

    private string _userId = "";
    private DateTimeOffset _now;
    private IReadOnlyList<ApiKey> _keys = [];
    private ApiKey? _editing;
    private ApiKey? _revoking;
    private ApiKey? _rolling;
    private ShownSecret? _secret;
    private string? _message;
    private bool _createOpen;

    [Inject]
    public required ApiKeyService KeyService { get; init; }

    [Inject]
    public required UserManager<ApplicationUser> UserManager { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    internal IdentityRedirectManager RedirectManager { get; init; } = default!;

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "edit")]
    public string? EditId { get; set; }

    [SupplyParameterFromQuery(Name = "revoke")]
    public string? RevokeId { get; set; }

    [SupplyParameterFromQuery(Name = "roll")]
    public string? RollId { get; set; }

    [SupplyParameterFromQuery(Name = "create")]
    public string? CreateRequested { get; set; }

    [SupplyParameterFromForm(FormName = "create-key")]
    private KeyInput? Create { get; set; }

    [SupplyParameterFromForm(FormName = "rename-key")]
    private KeyInput? Rename { get; set; }

    [SupplyParameterFromForm(FormName = "edit-limits")]
    private KeyInput? Limits { get; set; }

    [SupplyParameterFromForm(FormName = "revoke-key")]
    private KeyInput? Revoke { get; set; }

    [SupplyParameterFromForm(FormName = "roll-key")]
    private RollInput? Roll { get; set; }

    private string BaseUrl => Navigation.BaseUri + "v1";

    protected override async Task OnInitializedAsync()
    {
        _userId = UserManager.GetUserId(HttpContext.User) ?? throw new InvalidOperationException("the page requires a signed-in user");
        _now = Clock.GetUtcNow();
        await LoadAsync();
        _editing = Find(EditId);
        _revoking = Find(RevokeId);
        _rolling = Find(RollId);
        _createOpen = _keys.Count == 0 || CreateRequested is not null;
    }

    private async Task LoadAsync() => _keys = await KeyService.ListAsync(_userId, HttpContext.RequestAborted);

    private ApiKey? Find(string? id) =>
        Guid.TryParse(id, out var keyId) ? _keys.FirstOrDefault(k => k.Id == keyId && k.RevokedAt is null) : null;

    private async Task CreateAsync()
    {
        var input = Create ?? new KeyInput();
        _createOpen = true;
        input.CheckName(_createErrors);
        var limits = input.ReadLimits(_now, _createErrors);
        if (_createErrors.Count > 0 || limits is null)
        {
            return;
        }

        try
        {
            var (key, secret) = await KeyService.CreateAsync(_userId, input.Name!, limits, HttpContext.RequestAborted);
            Show(new ShownSecret("Your new key “" + key.Name + "” is ready", key.Name, secret));
            Create = null;
            _createOpen = false;
            await LoadAsync();
        }
        catch (ApiKeyValidationException ex)
        {
            _createErrors[""] = Capitalise(string.Join("; ", ex.Problems)) + ".";
        }
    }

    private async Task RenameAsync()
    {
        var input = Rename ?? new KeyInput();
        if (Owned(input.Id) is not { } key)
        {
            _message = "Error: That key does not exist or was revoked.";
            return;
        }

        _editing = key;
        input.CheckName(_renameErrors);
        if (_renameErrors.Count > 0)
        {
            return;
        }

        try
        {
            await KeyService.RenameAsync(key.Id, _userId, input.Name!, HttpContext.RequestAborted);
        }
        catch (ApiKeyValidationException ex)
        {
            _renameErrors["Name"] = Capitalise(string.Join("; ", ex.Problems)) + ".";
            return;
        }

        RedirectManager.RedirectToWithStatus("keys", $"Renamed the key to “{input.Name!.Trim()}”.", HttpContext);
    }

    private async Task UpdateLimitsAsync()
    {
        var input = Limits ?? new KeyInput();
        if (Owned(input.Id) is not { } key)
        {
            _message = "Error: That key does not exist or was revoked.";
            return;
        }

        _editing = key;
        var limits = input.ReadLimits(_now, _limitErrors);
        if (_limitErrors.Count > 0 || limits is null)
        {
            return;
        }

        try
        {
            await KeyService.UpdateLimitsAsync(key.Id, _userId, limits, HttpContext.RequestAborted);
        }
        catch (ApiKeyValidationException ex)
        {
            _limitErrors["ExpiresOn"] = Capitalise(string.Join("; ", ex.Problems)) + ".";
            return;
        }

        RedirectManager.RedirectToWithStatus("keys", $"Saved the limits of “{key.Name}”.", HttpContext);
    }

    private async Task RevokeAsync()
    {
        if (Owned(Revoke?.Id) is not { } key)
        {
            _message = "Error: That key does not exist or was already revoked.";
            return;
        }

        await KeyService.RevokeAsync(key.Id, _userId, HttpContext.RequestAborted);
        RedirectManager.RedirectToWithStatus("keys", $"Revoked “{key.Name}”. Requests with it are now refused.", HttpContext);
    }

    private async Task RollAsync()
    {
        if (Owned(Roll?.Id) is not { } key)
        {
            _message = "Error: That key does not exist or was revoked.";
            return;
        }

        _rolling = key;
        if (!int.TryParse(Roll!.GraceHours, NumberStyles.None, CultureInfo.InvariantCulture, out var hours) || hours > 24)
        {
            _rollErrors["GraceHours"] = "Pick a grace period between 0 and 24 hours.";
            return;
        }

        try
        {
            var rolled = await KeyService.RollAsync(key.Id, _userId, TimeSpan.FromHours(hours), HttpContext.RequestAborted);
            if (rolled is not { } result)
            {
                _message = "Error: That key does not exist.";
                return;
            }

            _rolling = null;
            Show(new ShownSecret("“" + key.Name + "” has a new secret", key.Name, result.Secret));
            _message = hours == 0
                ? "The old secret stopped working."
                : string.Create(CultureInfo.InvariantCulture, $"The old secret keeps working for {GraceLabel(hours)}.");
            await LoadAsync();
        }
        catch (ApiKeyValidationException ex)
        {
            _rollErrors["GraceHours"] = Capitalise(string.Join("; ", ex.Problems)) + ".";
        }
    }

    private void Show(ShownSecret secret)
    {
        _secret = secret;

        // The secret is in this response only: no cache may keep it.
        HttpContext.Response.Headers.CacheControl = "no-store";
        HttpContext.Response.Headers.Pragma = "no-cache";
    }

    private ApiKey? Owned(string? id) => Find(id);

    private static string InputClass(Dictionary<string, string> errors, string field) => errors.ContainsKey(field) ? "am-input invalid" : "am-input";

    private static string GraceLabel(int hours) => hours switch
    {
        0 => "No grace: stop the old secret now",
        1 => "1 hour",
        _ => hours.ToString(CultureInfo.InvariantCulture) + " hours",
    };

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private sealed record ShownSecret(string Title, string Name, string Secret);

    /// <summary>The roll form: which key and how long its old secret keeps working.</summary>
    public sealed class RollInput
    {
        public string? Id { get; set; }

        public string? GraceHours { get; set; }
    }
}

using AkashML.Billing.Ledger;
using AkashML.Web.Admin;
using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Admin;

/// <summary>
/// <c>/admin/users/{id}</c>: one user's balance, pools and payments, the credit grant form and the account lock. The
/// balance follows the user's change feed, so a grant (here or in another tab) shows at once.
/// </summary>
public sealed partial class AdminUser : IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private IDisposable? subscription;
    private AdminUserRow? user;
    private CreditBalance balance = new(0, 0, []);
    private bool loaded;
    private bool busy;
    private string? signedInId;
    private PaymentsGrid? payments;

    [Inject] public required AdminDesk Desk { get; init; }

    [Inject] public required AccountChanges Changes { get; init; }

    [Inject] public required SignedInUser SignedIn { get; init; }

    [Inject] public required IDialogService Dialogs { get; init; }

    [Inject] public required ISnackbar Snackbar { get; init; }

    [Parameter] public string UserId { get; set; } = "";

    private bool IsSelf => user is not null && user.Id == signedInId;

    private List<BreadcrumbItem> Breadcrumbs =>
    [
        new("Users", href: "admin/users"),
        new(user?.Email ?? "Unknown user", href: null, disabled: true),
    ];

    protected override async Task OnParametersSetAsync()
    {
        signedInId ??= await SignedIn.GetIdAsync();
        await LoadAsync();
        loaded = true;
        subscription?.Dispose();
        subscription = user is null || !RendererInfo.IsInteractive ? null : Changes.Subscribe(user.Id, () => InvokeAsync(RefreshAsync));
    }

    private async Task LoadAsync()
    {
        user = await Desk.FindUserAsync(UserId, stopping.Token);
        if (user is not null)
        {
            balance = await Desk.GetBalanceAsync(user.Id, stopping.Token);
        }
    }

    private async Task RefreshAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await LoadAsync();
        StateHasChanged();
        if (payments is not null)
        {
            await payments.ReloadAsync();
        }
    }

    private async Task SetLockedAsync(bool locked)
    {
        if (user is null)
        {
            return;
        }

        if (locked)
        {
            var confirmed = await Dialogs.ShowMessageBoxAsync("Lock this account?",
                $"{user.Email} will not be able to sign in, and their open sessions end within minutes. You can unlock it later.",
                yesText: "Lock account", cancelText: "Cancel");
            if (confirmed != true)
            {
                return;
            }
        }

        busy = true;
        try
        {
            var refusal = await Desk.SetLockedAsync(user.Id, locked, stopping.Token);
            if (refusal is null)
            {
                Snackbar.Add(locked ? $"{user.Email} is locked." : $"{user.Email} is unlocked.", Severity.Success);
            }
            else
            {
                Snackbar.Add(refusal, Severity.Error);
            }

            await LoadAsync();
        }
        finally
        {
            busy = false;
        }
    }

    public void Dispose()
    {
        subscription?.Dispose();
        stopping.Cancel();
        stopping.Dispose();
    }
}

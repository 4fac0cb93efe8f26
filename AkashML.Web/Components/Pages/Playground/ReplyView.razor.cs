using AkashML.Web.Playground;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Playground;

public sealed partial class ReplyView
{
    private const string InsufficientPrefix = "Insufficient credits";

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Parameter, EditorRequired]
    public PlaygroundReply Reply { get; set; } = default!;

    [Parameter, EditorRequired]
    public string ModelId { get; set; } = "";

    /// <summary>The last reply of a column can be answered again.</summary>
    [Parameter]
    public bool CanRegenerate { get; set; }

    /// <summary>Something is streaming: no new request starts until it ends or is stopped.</summary>
    [Parameter]
    public bool Busy { get; set; }

    [Parameter]
    public EventCallback OnRegenerate { get; set; }

    private string StateName => Reply.State.ToString().ToLowerInvariant();

    /// <summary>A 402 from the budget of the key the playground runs as, not from the balance.</summary>
    private bool IsOverBudget => Reply.Error?.StartsWith("Key budget exceeded", StringComparison.Ordinal) == true;

    /// <summary>The 402 says "Not enough credits" once, followed by the billing detail (what was needed, what is usable).</summary>
    private string CreditsMessage =>
        Reply.Error is { } error && error.StartsWith(InsufficientPrefix, StringComparison.Ordinal)
            ? "Not enough credits" + error[InsufficientPrefix.Length..]
            : "Not enough credits for this request.";

    private async Task CopyAsync()
    {
        var copied = await JS.InvokeAsync<bool>("akashml.copy", Reply.Text);
        Snackbar.Add(copied ? "Reply copied" : "Could not copy: select the text and copy it", copied ? Severity.Success : Severity.Warning);
    }
}

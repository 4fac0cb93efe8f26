using AkashML.Web.Playground;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Playground;

public sealed partial class MarkdownView
{
    private IReadOnlyList<MarkdownPart> parts = [];
    private string? rendered;

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Parameter, EditorRequired]
    public string Text { get; set; } = "";

    protected override void OnParametersSet()
    {
        // A streaming reply re-renders often; parse only when the text changed.
        if (!string.Equals(rendered, Text, StringComparison.Ordinal))
        {
            parts = SafeMarkdown.Render(Text);
            rendered = Text;
        }
    }

    private async Task CopyAsync(string code)
    {
        var copied = await JS.InvokeAsync<bool>("akashml.copy", code);
        Snackbar.Add(copied ? "Code copied" : "Could not copy: select the code and copy it", copied ? Severity.Success : Severity.Warning);
    }
}

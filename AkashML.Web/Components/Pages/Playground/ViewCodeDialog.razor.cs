using System.Text.Json.Nodes;
using AkashML.Web.Playground;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Playground;

public sealed partial class ViewCodeDialog
{
    private int active;

    [CascadingParameter]
    public IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Parameter, EditorRequired]
    public Uri BaseUrl { get; set; } = default!;

    [Parameter, EditorRequired]
    public JsonObject Body { get; set; } = default!;

    [Parameter]
    public string ModelName { get; set; } = "";

    private CodeLanguage Language => Enum.GetValues<CodeLanguage>()[active];

    private string Code => CodeSamples.Chat(BaseUrl, Body, Language);

    private static string Name(CodeLanguage language) => language switch
    {
        CodeLanguage.Python => "Python",
        CodeLanguage.JavaScript => "JavaScript",
        CodeLanguage.CSharp => "C#",
        _ => "curl",
    };

    private async Task CopyAsync()
    {
        var copied = await JS.InvokeAsync<bool>("akashml.copy", Code);
        Snackbar.Add(copied ? "Code copied" : "Could not copy: select the code and copy it", copied ? Severity.Success : Severity.Warning);
    }

    private void Close() => Dialog.Close();
}

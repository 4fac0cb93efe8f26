namespace AkashML.Web.Playground;

/// <summary>The languages "view code" offers.</summary>
public enum CodeLanguage
{
    Curl,
    Python,
    JavaScript,
    CSharp,
}

<#
.SYNOPSIS
  Sign Windows files (the app's exes, then the installer) with signtool; skip cleanly without a
  certificate.

.DESCRIPTION
  Certificate, from the environment (CI passes secrets; nothing is stored in the repository):
    WINDOWS_CERT_PFX_BASE64 [+ WINDOWS_CERT_PASSWORD]   a .pfx file, base64-encoded, or
    WINDOWS_CERT_SHA1                                   thumbprint of a certificate in the store
                                                        (e.g. an EV token or a cloud HSM's CSP).
  WINDOWS_TIMESTAMP_URL   RFC 3161 timestamp server (default http://timestamp.digicert.com).
  With neither certificate variable set it prints that signing is skipped and exits 0.

.EXAMPLE
  pwsh packaging/windows/sign.ps1 dist\BachataBuddy\BachataBuddy.exe dist\BachataBuddy\bachata-desktop.exe
#>
param(
    [Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)]
    [string[]] $Files
)
$ErrorActionPreference = "Stop"

if (-not $env:WINDOWS_CERT_PFX_BASE64 -and -not $env:WINDOWS_CERT_SHA1) {
    Write-Host "sign.ps1: no certificate (WINDOWS_CERT_PFX_BASE64 or WINDOWS_CERT_SHA1): not signing $($Files -join ', ')"
    exit 0
}

$signtool = (Get-Command signtool.exe -ErrorAction SilentlyContinue).Source
if (-not $signtool) {
    $signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" -ErrorAction SilentlyContinue |
        Sort-Object FullName -Descending | Select-Object -First 1 -ExpandProperty FullName
}
if (-not $signtool) { throw "sign.ps1: signtool.exe not found (install the Windows 10/11 SDK)" }

$timestamp = if ($env:WINDOWS_TIMESTAMP_URL) { $env:WINDOWS_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
$signArgs = @("sign", "/fd", "SHA256", "/tr", $timestamp, "/td", "SHA256", "/d", "Bachata Buddy")
$pfx = $null
if ($env:WINDOWS_CERT_PFX_BASE64) {
    $pfx = Join-Path ([System.IO.Path]::GetTempPath()) ("bb-sign-" + [guid]::NewGuid() + ".pfx")
    [System.IO.File]::WriteAllBytes($pfx, [System.Convert]::FromBase64String($env:WINDOWS_CERT_PFX_BASE64))
    $signArgs += @("/f", $pfx)
    if ($env:WINDOWS_CERT_PASSWORD) { $signArgs += @("/p", $env:WINDOWS_CERT_PASSWORD) }
} else {
    $signArgs += @("/sha1", $env:WINDOWS_CERT_SHA1)
}

try {
    foreach ($file in $Files) {
        if (-not (Test-Path $file)) { throw "sign.ps1: no such file: $file" }
        & $signtool @signArgs $file
        if ($LASTEXITCODE -ne 0) { throw "sign.ps1: signtool sign failed for $file" }
        & $signtool verify /pa /q $file
        if ($LASTEXITCODE -ne 0) { throw "sign.ps1: signature of $file does not verify" }
        Write-Host "signed $file"
    }
} finally {
    if ($pfx -and (Test-Path $pfx)) { Remove-Item $pfx -Force }
}

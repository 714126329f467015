; Inno Setup 6 script: the Windows installer for Bachata Buddy.
;
; Build (from the repository root, after packaging/build.py made dist\BachataBuddy):
;   iscc /DAppVersion=0.1.0 packaging\windows\installer.iss
; Signed (setup and uninstaller), as the workflow does when a certificate is configured:
;   iscc /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 /DUseSignTool
;        "/Sbbsign=pwsh -NoProfile -File <abs path>\sign.ps1 $f" packaging\windows\installer.iss
; Output: dist\BachataBuddy-<version>-windows-x64-setup.exe
;
; Per-user install by default (no administrator rights needed in a studio laptop); an admin can pick
; "install for all users" in the first dialog. Adds a Start-menu entry, an optional desktop icon,
; an uninstaller (Settings > Apps) and opens the app's class plans (.bbplan) on double-click.
; User data (library, plans) lives in %LOCALAPPDATA%\Bachata Buddy and is kept on uninstall.

#define AppName "Bachata Buddy"
#define AppExe "BachataBuddy.exe"
#define PlanProgId "BachataBuddy.Plan"
#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z installer.iss
#endif
; VersionInfoVersion takes up to four numbers only ("0.2.0rc1" would stop the build):
; packaging/build.py --numeric-version gives them.
#ifndef AppVersionNumeric
  #define AppVersionNumeric "0.0.0.0"
#endif

[Setup]
; A fixed AppId (uuid5 of the bundle id com.bachatabuddy.desktop) lets upgrades replace the old
; version in place. Never change it.
AppId={{A2E65EFF-A210-517C-9D47-9817A21D8321}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductTextVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
ChangesAssociations=yes
SetupIconFile=..\..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
OutputDir=..\..\dist
OutputBaseFilename=BachataBuddy-{#AppVersion}-windows-x64-setup
; lzma2: "normal" packs the bundle in minutes, "max" takes far longer for ~2% less.
Compression=lzma2/normal
SolidCompression=yes
LZMANumBlockThreads=4
; Setup larger than 2 GB must span (.bin slices); the torch-free bundle is far below that.
DiskSpanning=no
#ifdef UseSignTool
; The sign tool "bbsign" is defined on the ISCC command line (/S); it signs the setup and, with
; SignedUninstaller, the uninstaller written into it (otherwise unins000.exe ships unsigned).
SignTool=bbsign
SignedUninstaller=yes
#endif
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller one-folder app (windowed BachataBuddy.exe, console bachata-desktop.exe,
; _internal\ with Python, Qt, the ML stacks, resources\ and models\).
Source: "..\..\dist\BachataBuddy\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade must not keep libraries the new version no longer ships.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Move library, loop player, class plans"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; File association for class plans. HKA = HKCU for a per-user install, HKLM for all users.
Root: HKA; Subkey: "Software\Classes\.bbplan\OpenWithProgids"; ValueType: string; ValueName: "{#PlanProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#PlanProgId}"; ValueType: string; ValueName: ""; ValueData: "{#AppName} class plan"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#PlanProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#PlanProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".bbplan"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

// Every command class, in the order help lists them within a category. The folders
// mirror the command paths: commands/trust/list.ts is `kubectl harbor trust list`.
import { BindSaCommand } from './bind-sa.js';
import { CompleteCommand } from './complete.js';
import { CompletionCommand } from './completion.js';
import { DoctorCommand } from './doctor.js';
import { ContextCommand } from './context.js';
import { JumpboxCreateCommand } from './jumpbox/create.js';
import { JumpboxDeleteCommand } from './jumpbox/delete.js';
import { JumpboxExecCommand } from './jumpbox/exec.js';
import { JumpboxListCommand } from './jumpbox/list.js';
import { JumpboxSshCommand } from './jumpbox/ssh.js';
import { JumpboxStatusCommand } from './jumpbox/status.js';
import { LoginCommand } from './login.js';
import { LogoutCommand } from './logout.js';
import { PushCaCommand } from './push-ca.js';
import { RobotCreateCommand } from './robot/create.js';
import { RobotDeleteCommand } from './robot/delete.js';
import { RobotListCommand } from './robot/list.js';
import { StatusCommand } from './status.js';
import { RobotRefreshCommand } from './robot/refresh.js';
import { HelpCommand, RootCommand } from './root.js';
import { TrustCommand } from './trust/index.js';
import { TrustListCommand } from './trust/list.js';
import { VersionCommand } from './version.js';

export const COMMANDS = [
  RootCommand,
  HelpCommand,
  LoginCommand,
  LogoutCommand,
  BindSaCommand,
  RobotCreateCommand,
  RobotRefreshCommand,
  RobotListCommand,
  StatusCommand,
  DoctorCommand,
  RobotDeleteCommand,
  TrustCommand,
  TrustListCommand,
  JumpboxCreateCommand,
  JumpboxStatusCommand,
  JumpboxDeleteCommand,
  JumpboxListCommand,
  JumpboxExecCommand,
  JumpboxSshCommand,
  PushCaCommand,
  VersionCommand,
  ContextCommand,
  CompletionCommand,
  CompleteCommand,
];

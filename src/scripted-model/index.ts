export { startScriptedModel } from './server.js';
export { chatMessages, contentText, endsWithToolResult, lastMessageText, toolResults } from './request-helpers.js';
export type { ChatMessage } from './request-helpers.js';
export type {
  HttpErrorStep,
  RecordedAuth,
  RecordedRequest,
  ReportedUsage,
  ScriptFunction,
  ScriptStep,
  ScriptStepKind,
  ScriptedModelOptions,
  ScriptedModelServer,
  ScriptedToolCall,
  StallStep,
  StreamForeverStep,
  TextStep,
  ToolCallsStep,
  UsageOverride,
} from './types.js';
export {
  detectRole,
  roleScript,
  stepsFor,
  type ConditionalStep,
  type PlannedStep,
  type RolePlans,
  type ScriptedRole,
  type TurnPlan,
  type TurnView,
} from './role-script.js';

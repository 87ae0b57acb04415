import { GENERIC_DESCRIPTORS } from '../platform/vendors/generic-descriptors';
import type { VendorDescriptor } from '../platform/vendors/vendor-descriptor';
import { AZURE_DEVOPS } from './azure-devops-integration/azure-devops.descriptor';
import { AZURE_OPENAI } from './azure-openai-integration/azure-openai.descriptor';
import { AWS, AZURE_CLOUD } from './cloud-provider-adapter/cloud.descriptors';
import { HUBSPOT } from './crm-integration/hubspot.descriptor';
import { AZURE_COMMUNICATION_SERVICES } from './email-integration/azure-communication-services/acs.descriptor';
import { SMTP } from './email-integration/smtp/smtp.descriptor';
import { GITHUB } from './github-integration/github.descriptor';
import { MCP } from './mcp-connector/mcp.descriptor';
import { OLLAMA } from './ollama-integration/ollama.descriptor';
import { OPENAI } from './openai-integration/openai.descriptor';
import { STRIPE } from './payment-integration/stripe.descriptor';
import { SMS019 } from './sms-integration/sms019/sms019.descriptor';
import { TWILIO } from './sms-integration/twilio/twilio.descriptor';
import { ZENDESK } from './support-integration/zendesk.descriptor';
import { SLACK } from './webhook-gateway/vendors/slack.descriptor';

/**
 * Every vendor descriptor, handed to the kernel by the composition root. Descriptors are pure data and
 * functions, so every role loads all of them (the gateway verifies any vendor's webhooks) while only a
 * role's own Nest module is loaded lazily.
 */
export const VENDOR_DESCRIPTORS: readonly VendorDescriptor[] = [
  GITHUB,
  AZURE_DEVOPS,
  OPENAI,
  AZURE_OPENAI,
  OLLAMA,
  MCP,
  AZURE_CLOUD,
  AWS,
  SMTP,
  AZURE_COMMUNICATION_SERVICES,
  TWILIO,
  SMS019,
  STRIPE,
  HUBSPOT,
  ZENDESK,
  SLACK,
  ...GENERIC_DESCRIPTORS,
];

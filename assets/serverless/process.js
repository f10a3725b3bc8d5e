'use strict';
// Second step of the state machine: publishes the processed change to the SNS topic (fanned out to SQS).
const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');

const sns = new SNSClient({});
const secrets = new SecretsManagerClient({});
let apiKey;

exports.handler = async (input) => {
  // The secret value is read at run time from its ARN; it is never in the code or the environment.
  if (apiKey === undefined && process.env.SECRET_ARN) {
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ARN }));
    apiKey = secret.SecretString ?? '';
  }
  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify(input) }));
  return { ...input, processed: true };
};

// Decides authorization requests with @cloud-copilot/iam-simulate, an IAM
// simulator that the project did not write.
//
// Reads batches from standard input, one JSON object a line:
//
//   {"policySets": {"NAME": [policy document, ...]},
//    "requests": [{"policySet": "NAME", "principal": "arn:...:role/...",
//                  "action": "ecr:BatchGetImage", "resource": "arn:...",
//                  "resourceAccount": "111122223333",
//                  "context": {"kms:ViaService": "..."},
//                  "resourcePolicy": {policy document} or null}]}
//
// and answers each batch with one line, {"decisions": [...]}, a decision per
// request in order: {"result": "Allowed" | "ImplicitlyDenied" |
// "ExplicitlyDenied" | "Error", "errors": ..., "ignoredContextKeys": [...],
// "resourceType": "..."}. A request the simulator refuses to run (an unknown
// action, a resource that matches none of the action's resource types, a
// policy that fails its validation) is decided "Error" with the reason.

import { createInterface } from 'node:readline'
import { runSimulation } from '@cloud-copilot/iam-simulate'

async function decide(batch) {
  const decisions = []
  for (const request of batch.requests) {
    const policies = batch.policySets[request.policySet] ?? []
    const response = await runSimulation(
      {
        request: {
          principal: request.principal,
          action: request.action,
          resource: {
            resource: request.resource,
            accountId: request.resourceAccount
          },
          contextVariables: request.context ?? {}
        },
        identityPolicies: policies.map((policy, index) => ({
          name: `policy${index + 1}`,
          policy
        })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: request.resourcePolicy ?? undefined
      },
      // Strict: the request is decided exactly as given, context and all.
      { simulationMode: 'Strict' }
    )
    decisions.push(summarize(response))
  }
  return decisions
}

function summarize(response) {
  if (response.resultType === 'error') {
    return { result: 'Error', errors: response.errors }
  }
  if (response.resultType === 'single') {
    return {
      result: response.overallResult,
      ignoredContextKeys: response.result.ignoredContextKeys ?? [],
      resourceType: response.result.resourceType ?? null
    }
  }
  // Concrete requests carry no wildcard, so this only answers a caller that
  // sent one: report it as it is rather than pick one of the results.
  return {
    result: response.overallResult,
    wildcard: true,
    ignoredContextKeys: response.results.flatMap((r) => r.ignoredContextKeys ?? []),
    resourceType: null
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (!line.trim()) continue
  let answer
  try {
    answer = { decisions: await decide(JSON.parse(line)) }
  } catch (error) {
    answer = { failure: String(error?.stack ?? error) }
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}

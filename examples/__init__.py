"""Example CDK app for ecs-exec-role, checked by every cdk-nag rule pack."""

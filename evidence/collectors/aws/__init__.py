"""AWS settings as evidence: live through boto3 ([aws]) or from saved CLI outputs ([aws-cli]).

Both collectors feed the same API responses into one :class:`~.inventory.AwsInventory`, which
turns them into the facts of the encryption, identity, secrets, network and logging kinds.
"""

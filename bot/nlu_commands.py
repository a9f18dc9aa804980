"""`linli nlu ...`: tools for the people who maintain the training data."""
import click


@click.group("nlu")
def nlu_group() -> None:
    """Parse text and evaluate the NLU."""
